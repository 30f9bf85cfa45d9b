/**
 * rxgate's configuration: KrakenD's format v3, read from JSON or YAML, validated (every problem at
 * once, each with its JSON pointer), normalized (defaults, milliseconds, inherited hosts, short
 * namespace names). Pure apart from reading the file: config in, normalized config or errors out.
 */
import { ErrorCodes, RxgateError } from '../errors.js'
import { readConfig } from './load.js'
import { normalizeConfig } from './normalize.js'
import { validateConfig } from './validate.js'
import type { GatewayConfig } from './types.js'

export type * from './types.js'
export { readConfig, parseConfig } from './load.js'
export { validateConfig, SCHEMA_PATH, type Validation } from './validate.js'
export { normalizeConfig, DEFAULTS } from './normalize.js'
export { ALIASES, NAMESPACES, shortName, type Scope } from './namespaces.js'

/** A usable configuration, and what the caller should log about it. */
export interface LoadedConfig {
  readonly config: GatewayConfig
  /** Ignored namespaces (one line listing them all) and ignored or suspicious settings. */
  readonly warnings: readonly string[]
}

/**
 * Reads, validates and normalizes a configuration file. Throws `CONFIG_READ` when the file cannot
 * be read or parsed, `CONFIG_INVALID` (with `details.problems`) when it does not validate.
 */
export async function loadConfig(path: string): Promise<LoadedConfig> {
  return check(await readConfig(path), path)
}

/** `loadConfig` for a value already in memory (a programmatic or generated configuration). */
export function checkConfig(raw: unknown): LoadedConfig {
  return check(raw)
}

function check(raw: unknown, source?: string): LoadedConfig {
  const { problems, warnings } = validateConfig(raw)
  if (problems.length > 0) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`
    throw new RxgateError(
      ErrorCodes.CONFIG_INVALID,
      `${source ?? 'the configuration'} is not valid (${count}):\n${problems.join('\n')}`,
      source === undefined ? { problems } : { problems, path: source },
    )
  }
  const config = normalizeConfig(raw)
  const ignored = config.ignored_namespaces
  return { config, warnings: ignored.length > 0 ? [namespaceWarning(ignored), ...warnings] : warnings }
}

/** One line for all ignored namespaces; security ones named again, as their absence opens endpoints. */
function namespaceWarning(ignored: readonly string[]): string {
  const security = ignored.filter((name) => /^(auth|security)\//.test(name))
  const note = security.length > 0 ? `; not enforced: ${security.join(', ')}` : ''
  return `extra_config namespaces rxgate does not implement are ignored: ${ignored.join(', ')}${note}`
}
