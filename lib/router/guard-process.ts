import { config } from 'rxjs'
import { ErrorCodes, RxgateError } from '../errors.js'
import type { Logger } from '../logger.js'
import { currentRun } from './endpoint-run.js'

const loggers = new Set<Logger>()
let escaped = 0

/**
 * The last line of defence, for errors that escape every request's own handling: a throw in a
 * user's timer or event handler (Node would exit), an unhandled rejection, an error RxJS has
 * nowhere to deliver (it would rethrow it from a timer). Each is logged with its stack and
 * counted, the request it was scheduled by (when there is one, see `currentRun`) ends with a 500,
 * and the process goes on serving. Installed once per process while any gateway that asks for it
 * listens; the returned function removes this gateway's claim.
 *
 * @example
 * const release = guardProcess(logger)
 * // ... serve ...
 * release()
 */
export function guardProcess(logger: Logger): () => void {
  if (loggers.size === 0) {
    config.onUnhandledError = contain
    process.on('uncaughtException', contain)
    process.on('unhandledRejection', contain)
  }
  loggers.add(logger)
  return () => {
    if (!loggers.delete(logger) || loggers.size > 0) return
    if (config.onUnhandledError === contain) config.onUnhandledError = null
    process.off('uncaughtException', contain)
    process.off('unhandledRejection', contain)
  }
}

/** How many errors escaped their requests since the process started. */
export function escapedErrors(): number {
  return escaped
}

function contain(error: unknown): void {
  escaped++
  // Its request's own log line (which names the endpoint) says it all; else one line here.
  const run = currentRun()
  if (run) run.fail(new RxgateError(ErrorCodes.INTERNAL, 'an error escaped the pipeline', {}, { cause: error }))
  else [...loggers].at(-1)?.error({ err: error, code: ErrorCodes.INTERNAL, escaped }, 'an error escaped outside any request; serving goes on')
}
