import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { freePort, runNode, type Running } from './spawn-node.js'

/** Writes a configuration to a temporary file and returns its path. */
export function writeConfig(config: unknown, name = 'gateway.json'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'rxgate-')), name)
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config, null, 2))
  return file
}

/** Runs the real `rxgate` CLI with arguments, to completion. */
export async function cli(...args: string[]): Promise<{ code: number | null; output: string }> {
  const run = runNode('dist/bin/rxgate.js', args)
  const code = await run.exited
  return { code, output: run.output() }
}

/**
 * Starts `rxgate run` on a configuration (a value, or the path of a file), on a free port that
 * overrides the file's, waits until it listens, and stops it when the test ends.
 */
export async function runGateway(
  t: Test,
  config: Record<string, unknown> | string,
  ...args: (string | { env: Record<string, string> })[]
): Promise<{ base: string; gateway: Running }> {
  const port = await freePort()
  const file = typeof config === 'string' ? config : writeConfig({ version: 3, ...config })
  const env = Object.assign({}, ...args.map((arg) => (typeof arg === 'string' ? {} : arg.env))) as Record<string, string>
  const flags = args.filter((arg): arg is string => typeof arg === 'string')
  const gateway = runNode('dist/bin/rxgate.js', ['run', '-c', file, '-p', String(port), ...flags], env)
  t.teardown(async () => {
    gateway.child.kill('SIGTERM')
    await gateway.exited
  })
  await gateway.waitFor('rxgate listening')
  return { base: `http://127.0.0.1:${port}`, gateway }
}
