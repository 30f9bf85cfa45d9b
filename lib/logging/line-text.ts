/**
 * A pino line as text for a person: its message, then its fields as `key=value`. What KrakenD's
 * text formats (`default`, `custom`) and the syslog print as `%{message}`, and what the pretty
 * output of a terminal prints for an access line.
 */

/** The message of every access log line (`lib/router/server.ts`). */
export const ACCESS_MESSAGE = 'request'

/** pino's own keys: the text formats print them their own way, or not at all. */
const OWN_KEYS = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg'])
/** The access line's keys its summary (`GET /users/1 200 3.2ms`) already says. */
const SUMMARISED = new Set(['method', 'path', 'status', 'ms'])
const BARE = /^[^\s"=\\]+$/

/** One pino line, as JSON gives it. */
export type LogRecord = Record<string, unknown>

/** Whether a line is an access log line. */
export function isAccessLine(record: LogRecord): boolean {
  return record.msg === ACCESS_MESSAGE && typeof record.method === 'string' && typeof record.status === 'number'
}

/**
 * An access line's first words: `GET /users/1 200 3.2ms`, with `cut` or `aborted` when it was.
 *
 * @example
 * accessSummary({ method: 'GET', path: '/users/1', status: 200, ms: 3.2 }) // 'GET /users/1 200 3.2ms'
 */
export function accessSummary(record: LogRecord): string {
  return `${String(record.method)} ${String(record.path)} ${String(record.status)} ${String(record.ms)}ms`
}

/**
 * A line's message and fields as one line of text, then an error's stack on the lines after it,
 * if it has one. An access line starts with its summary.
 *
 * @example
 * lineText({ level: 40, msg: 'partial answer', endpoint: '/front', delivered: 1 })
 * // 'partial answer endpoint=/front delivered=1'
 */
export function lineText(record: LogRecord): string {
  const access = isAccessLine(record)
  let text = access ? accessSummary(record) : typeof record.msg === 'string' ? record.msg : ''
  let stack = ''
  for (const key of Object.keys(record)) {
    if (OWN_KEYS.has(key) || (access && SUMMARISED.has(key))) continue
    const value = record[key]
    if (value === undefined) continue
    if (key === 'err' && isError(value)) {
      text += ` err=${quoted(value.message)}`
      if (typeof value.stack === 'string') stack = `\n${value.stack}`
      continue
    }
    text += ` ${key}=${fieldValue(value)}`
  }
  return (text.startsWith(' ') ? text.slice(1) : text) + stack
}

function fieldValue(value: unknown): string {
  if (typeof value === 'string') return quoted(value)
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value)
  return JSON.stringify(value)
}

function quoted(text: string): string {
  return BARE.test(text) ? text : JSON.stringify(text)
}

function isError(value: unknown): value is { message: string; stack?: unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string'
}
