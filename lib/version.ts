import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * rxgate's version, read once at start-up from its package.json. The file is found by walking up
 * from this module, so the same code works from `lib/` (tests, ts sources) and `dist/lib/` (build).
 */
export const VERSION: string = readVersion()

function readVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const version = versionIn(join(dir, 'package.json'))
    if (version !== undefined) return version
    const parent = dirname(dir)
    if (parent === dir) return '0.0.0'
    dir = parent
  }
}

function versionIn(file: string): string | undefined {
  try {
    const pkg: unknown = JSON.parse(readFileSync(file, 'utf8'))
    if (typeof pkg !== 'object' || pkg === null) return undefined
    const { name, version } = pkg as { name?: unknown; version?: unknown }
    return name === 'rxgate' && typeof version === 'string' ? version : undefined
  } catch {
    return undefined
  }
}
