import type { DestinationStream } from 'pino'
import { prettyFactory } from 'pino-pretty'
import { accessSummary, isAccessLine, type LogRecord } from './line-text.js'

/** The access line's keys its summary says: not printed again after it. */
const SUMMARISED = ['method', 'path', 'status', 'ms'] as const

/**
 * The pretty output of a terminal: one line per log line (an access line reads
 * `12:00:01.234 INFO: GET /users/1 200 3.2ms {"ip":"::1",...}`), an error's stack on the lines
 * after it. It runs in the gateway's own thread, writing synchronously: a terminal is read by a
 * person, not flooded by a benchmark.
 *
 * @example
 * const logger = pino({}, prettyDestination(process.stdout))
 */
export function prettyDestination(out: { write(text: string): unknown }, colorize = true): DestinationStream {
  const prettify = prettyFactory({
    colorize,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,name',
    messageFormat: (log: LogRecord, messageKey: string) => {
      if (!isAccessLine(log)) return typeof log[messageKey] === 'string' ? (log[messageKey] as string) : ''
      const summary = accessSummary(log)
      // pino-pretty prints the fields left in the line after its message: not these twice
      for (const key of SUMMARISED) delete log[key]
      return summary
    },
  })
  return { write: (line: string) => void out.write(prettify(line)) }
}
