import { compilePattern, PatternError } from './go-pattern.js'
import { logLevel } from './levels.js'
import { FACILITIES, type Facility } from './syslog.js'

/** The service's `telemetry/logging` block, as KrakenD's krakend-gologging reads it, with its defaults filled in. */
export interface LoggingSettings {
  /** `level`, as a pino level (KrakenD's WARNING is warn, CRITICAL fatal). */
  readonly level: string
  /** `prefix`: written before every stdout line of the `default` format, and the syslog tag. */
  readonly prefix: string
  /** `stdout`: the application log on stdout (default false, as KrakenD's). The access log is on stdout whatever this says. */
  readonly stdout: boolean
  /** `syslog`: the application log to syslog too (default false). */
  readonly syslog: boolean
  /** `syslog_facility` (default local3). */
  readonly syslog_facility: Facility
  /** `format`: `default`, `logstash` or `custom` (with `custom_format`). */
  readonly format: 'default' | 'logstash' | 'custom'
  readonly custom_format?: string
}

/** The block as a file writes it (it passed the JSON Schema). */
export interface RawLoggingSettings {
  readonly level?: string
  readonly prefix?: string
  readonly stdout?: boolean
  readonly syslog?: boolean
  readonly syslog_facility?: string
  readonly format?: string
  readonly custom_format?: string
}

/**
 * The block with KrakenD's defaults: `stdout` and `syslog` false, facility `local3`, format
 * `default`. A format KrakenD does not know is its `default`, as in KrakenD.
 *
 * @example
 * loggingSettings({ level: 'WARNING', stdout: true }).level // 'warn'
 */
export function loggingSettings(raw: RawLoggingSettings): LoggingSettings {
  const format = raw.format === 'logstash' || raw.format === 'custom' ? raw.format : 'default'
  return {
    level: logLevel(raw.level ?? 'INFO') ?? 'info',
    prefix: raw.prefix ?? '',
    stdout: raw.stdout ?? false,
    syslog: raw.syslog ?? false,
    syslog_facility: FACILITIES.find((name) => name === raw.syslog_facility?.toLowerCase()) ?? 'local3',
    format,
    ...(raw.custom_format === undefined ? {} : { custom_format: raw.custom_format }),
  }
}

/**
 * What a `telemetry/logging` block says that cannot work, beyond its JSON Schema: a `custom`
 * format without `custom_format`, a pattern go-logging would refuse (KrakenD would not start),
 * a block that sends the application log nowhere.
 *
 * @example
 * loggingProblems({ level: 'INFO', format: 'custom' })
 * // [{ path: '/custom_format', message: 'is required by "format": "custom"' }]
 */
export function loggingProblems(raw: RawLoggingSettings): { path: string; message: string; warning?: boolean }[] {
  const problems: { path: string; message: string; warning?: boolean }[] = []
  if (raw.format === 'custom' && raw.custom_format === undefined) problems.push({ path: '/custom_format', message: 'is required by "format": "custom"' })
  if (raw.format === 'custom' && typeof raw.custom_format === 'string') {
    try {
      compilePattern(raw.custom_format, { colors: false })
    } catch (error) {
      if (!(error instanceof PatternError)) throw error
      problems.push({ path: '/custom_format', message: error.message })
    }
  }
  if (raw.custom_format !== undefined && raw.format !== 'custom') {
    problems.push({ path: '/custom_format', message: 'is ignored unless "format" is "custom"', warning: true })
  }
  if (raw.stdout !== true && raw.syslog !== true) {
    problems.push({ path: '', message: 'neither "stdout" nor "syslog" is true: the application log is written nowhere (the access log still goes to stdout)', warning: true })
  }
  return problems
}
