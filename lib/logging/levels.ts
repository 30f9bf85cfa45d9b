import type { Level, LevelWithSilent } from 'pino'

/**
 * The level names rxgate takes, case-insensitively: pino's own and KrakenD's (`telemetry/logging`'s
 * `level`), each read as the pino level that shows the same lines. KrakenD's CRITICAL is pino's
 * fatal, its WARNING pino's warn.
 */
const NAMES: Readonly<Record<string, LevelWithSilent>> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  fatal: 'fatal',
  critical: 'fatal',
  silent: 'silent',
}

/** The names a user may give, for messages: KrakenD's first, then pino's. */
export const LEVEL_NAMES = 'DEBUG, INFO, WARNING, ERROR, CRITICAL (KrakenD\'s) or trace, debug, info, warn, error, fatal, silent'

/**
 * The pino level a name stands for, or undefined when it names none.
 *
 * @example
 * logLevel('WARNING') // 'warn'
 * logLevel('Debug')   // 'debug'
 * logLevel('verbose') // undefined
 */
export function logLevel(name: string): LevelWithSilent | undefined {
  return Object.hasOwn(NAMES, name.toLowerCase()) ? NAMES[name.toLowerCase()] : undefined
}

/** KrakenD's name of a pino level number, as its logs print it (trace shows as DEBUG, fatal as CRITICAL). */
export function krakendLevel(level: number): string {
  if (level >= 60) return 'CRITICAL'
  if (level >= 50) return 'ERROR'
  if (level >= 40) return 'WARNING'
  if (level >= 30) return 'INFO'
  return 'DEBUG'
}

/** pino's label of a level number. */
export function pinoLevel(level: number): Level {
  if (level >= 60) return 'fatal'
  if (level >= 50) return 'error'
  if (level >= 40) return 'warn'
  if (level >= 30) return 'info'
  if (level >= 20) return 'debug'
  return 'trace'
}
