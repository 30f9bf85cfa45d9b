import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino'
import { ErrorCodes, RxgateError } from './errors.js'
import { KrakendOutput } from './logging/krakend-output.js'
import { LEVEL_NAMES, logLevel } from './logging/levels.js'
import { prettyDestination } from './logging/pretty.js'
import type { LoggingSettings } from './logging/settings.js'
import { SyslogWriter, syslogAddress } from './logging/syslog.js'

export type { Logger }

export interface CreateLoggerOptions extends LoggerOptions {
  /**
   * The level: pino's names or KrakenD's (DEBUG, INFO, WARNING, ERROR, CRITICAL), in any case.
   * Default: `RXGATE_LOG_LEVEL`, else the `logging` block's, else info.
   */
  readonly level?: string
  /** The service's `telemetry/logging`, read: KrakenD's formats, its stdout and syslog outputs. */
  readonly logging?: LoggingSettings
  /** Written for a person to read (pino-pretty, one line each). Default: stdout is a terminal and `CI` is not set. */
  readonly pretty?: boolean
}

/**
 * How lines reach stdout when no person reads them: written asynchronously, the lines logged
 * while a write is under way joined into the next one, so that a slow reader of stdout (a pipe
 * to a log collector) never blocks a request, and pino flushes what is left when the process
 * exits, fatal errors included. Writes of at most 4 KiB: sonic-boom measures the pending text
 * on every line, so a longer one costs more per line (measured: 2.2 us of CPU per access line
 * here, against 4.1 with `minLength: 4096` and its default 16 KiB, and 4.1 written
 * synchronously), and a pipe takes 4 KiB at once, so that the workers of `-w N` never cut into
 * each other's lines.
 */
const BUFFERED = { dest: 1, sync: false, maxWrite: 4096 } as const

const accessLoggers = new WeakMap<Logger, Logger>()

/**
 * The gateway's logger: JSON lines on stdout, or pretty ones when a person reads them; with a
 * service's `telemetry/logging`, KrakenD's formats, prefix, stdout and syslog instead. Throws
 * an `RXGATE_ERR_BAD_ARGUMENT` for a level it does not know.
 *
 * @example
 * const logger = createLogger({ level: 'WARNING' })
 * logger.warn({ endpoint: '/users/{id}' }, 'partial answer')
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const { logging, pretty = isTerminal(), level: wanted, ...rest } = options
  const name = wanted ?? process.env.RXGATE_LOG_LEVEL ?? logging?.level ?? 'info'
  const level = logLevel(name)
  if (level === undefined) throw new RxgateError(ErrorCodes.BAD_ARGUMENT, `unknown log level "${name}": use ${LEVEL_NAMES}`)
  const settings: LoggerOptions = { name: 'rxgate', ...rest, level }
  const stdout: DestinationStream = pretty ? pino.destination({ dest: 1, sync: true }) : pino.destination(BUFFERED)
  if (!logging) return pino(settings, pretty ? prettyDestination(stdout) : stdout)
  const output = new KrakendOutput(logging, { stdout, colors: pretty, ...optional('syslog', logging.syslog ? syslogWriter(logging) : undefined) })
  const logger = pino(settings, output.application)
  accessLoggers.set(logger, pino(settings, output.access))
  return logger
}

/**
 * The logger a gateway writes its access log with: the one `createLogger` made beside `logger`
 * (KrakenD writes the access log to stdout only, whatever `telemetry/logging` says), else
 * `logger` itself.
 */
export function accessLogOf(logger: Logger): Logger {
  return accessLoggers.get(logger) ?? logger
}

function isTerminal(): boolean {
  return process.stdout.isTTY === true && !process.env.CI
}

/** KrakenD starts without syslog when it cannot reach it, and says so: so does rxgate. */
function syslogWriter(logging: LoggingSettings): SyslogWriter | undefined {
  try {
    return new SyslogWriter({ address: syslogAddress(process.env.RXGATE_SYSLOG), facility: logging.syslog_facility, tag: logging.prefix || 'rxgate' })
  } catch (error) {
    const where = logging.stdout ? 'stdout only' : 'nowhere'
    process.stderr.write(`rxgate: syslog: ${(error as Error).message}; the application log goes to ${where}\n`)
    return undefined
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V }
}
