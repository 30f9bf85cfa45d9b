/**
 * rxgate's configuration: KrakenD's format v3, read from JSON or YAML, validated (every problem at
 * once, each with its JSON pointer), normalized (defaults, milliseconds, inherited hosts, short
 * namespace names). Pure apart from reading the file: config in, normalized config or errors out.
 */
import { ErrorCodes, RxgateError } from '../errors.js'
import { readConfig } from './load.js'
import { shortName } from './namespaces.js'
import { normalizeConfig } from './normalize.js'
import { failsClosed } from './unenforced.js'
import { validateConfig, type ValidationOptions } from './validate.js'
import type { GatewayConfig } from './types.js'

export type * from './types.js'
export { readConfig, parseConfig } from './load.js'
export { validateConfig, SCHEMA_PATH, type Validation, type ValidationOptions } from './validate.js'
export { normalizeConfig, DEFAULTS } from './normalize.js'
export { ALIASES, NAMESPACES, shortName, type Scope } from './namespaces.js'
export { FAIL_CLOSED_FAMILIES, failsClosed } from './unenforced.js'

/** A usable configuration, and what the caller should log about it. */
export interface LoadedConfig {
  readonly config: GatewayConfig
  /**
   * Ignored namespaces (one line listing them all), unenforced settings the caller allowed, and
   * ignored or suspicious settings, each with its JSON pointer.
   */
  readonly warnings: readonly string[]
}

/**
 * Reads, validates and normalizes a configuration file. Throws `CONFIG_READ` when the file cannot
 * be read or parsed, `CONFIG_INVALID` (with `details.problems`) when it does not validate: among
 * others, when it asks for authentication, security rules, rate limits, validation or plugins
 * that rxgate does not enforce, unless `allowUnenforced`; with `lint`, when it has unknown keys.
 */
export async function loadConfig(path: string, options: ValidationOptions = {}): Promise<LoadedConfig> {
  return check(await readConfig(path), options, path)
}

/** `loadConfig` for a value already in memory (a programmatic or generated configuration). */
export function checkConfig(raw: unknown, options: ValidationOptions = {}): LoadedConfig {
  return check(raw, options)
}

function check(raw: unknown, options: ValidationOptions, source?: string): LoadedConfig {
  const { problems, warnings } = validateConfig(raw, options)
  if (problems.length > 0) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`
    throw new RxgateError(
      ErrorCodes.CONFIG_INVALID,
      `${source ?? 'the configuration'} is not valid (${count}):\n${problems.join('\n')}`,
      source === undefined ? { problems } : { problems, path: source },
    )
  }
  const config = normalizeConfig(raw)
  // the unenforced ones (allowed, or this would have thrown) have a line each among the warnings
  const ignored = config.ignored_namespaces.filter((name) => !failsClosed(shortName(name)))
  return { config, warnings: ignored.length > 0 ? [namespaceWarning(ignored), ...warnings] : warnings }
}

/** One line for all the ignored namespaces that change nothing a client could abuse. */
function namespaceWarning(ignored: readonly string[]): string {
  return `extra_config namespaces rxgate does not implement are ignored: ${ignored.join(', ')}`
}
