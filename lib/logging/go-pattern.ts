import { basename } from 'node:path'
import { goTimeLayout } from './go-time.js'
import { krakendLevel } from './levels.js'

/**
 * KrakenD's log line patterns (`telemetry/logging`'s `format` and `custom_format`), which are
 * op/go-logging's: `%{verb}` or `%{verb:layout}` among literal text. The verbs: `time` (a Go time
 * layout), `level`, `id` (the line's sequence number), `pid`, `program`, `module`, `message`,
 * `color` (`bold`, `reset`); the layout of the others is a Go fmt verb (`%{level:.4s}`,
 * `%{id:05d}`). Go's call-site verbs (`shortfile`, `longfunc`, ...) print `???`, as go-logging
 * does when it cannot find the caller: a Node process has no cheap caller to give.
 */

/** What a pattern is given for each line. */
export interface PatternLine {
  readonly time: Date
  /** pino's level number. */
  readonly level: number
  /** The line's sequence number since the process started, from 1. */
  readonly id: number
  readonly message: string
}

export interface PatternOptions {
  /** Whether `%{color}` writes ANSI colours (a terminal) or nothing. */
  readonly colors: boolean
  /** `%{module}`: rxgate. */
  readonly module?: string
}

export type Pattern = (line: PatternLine) => string

/** KrakenD's `default` format (its krakend-gologging `DefaultPattern`). */
export const DEFAULT_PATTERN = ' %{time:2006/01/02 - 15:04:05.000} %{color}▶ %{level}%{color:reset} %{message}'
/** What KrakenD writes to the syslog, whatever the format. */
export const SYSLOG_PATTERN = '%{level} > %{message}'

const VERB = /%\{([a-z]+)(?::(.*?[^\\]))?\}/g
const CALL_SITE = new Set(['longfile', 'shortfile', 'longpkg', 'shortpkg', 'longfunc', 'shortfunc', 'callpath'])
const VERBS = new Set(['time', 'level', 'id', 'pid', 'program', 'module', 'message', 'color', ...CALL_SITE])
const RFC3339_MILLI = '2006-01-02T15:04:05.999Z07:00'

/** go-logging's level numbers, for `%{level:d}`. */
const LEVEL_NUMBERS: Readonly<Record<string, number>> = { CRITICAL: 0, ERROR: 1, WARNING: 2, NOTICE: 3, INFO: 4, DEBUG: 5 }
/** go-logging's colours: none for INFO. */
const COLORS: Readonly<Record<string, number | undefined>> = { CRITICAL: 35, ERROR: 31, WARNING: 33, NOTICE: 32, DEBUG: 36 }

/** A pattern that cannot be used, and why. */
export class PatternError extends Error {
  override readonly name = 'PatternError'
}

/**
 * Compiles a pattern once into a function from a line to its text. Throws a `PatternError`
 * that says what is wrong (an unknown verb, a fmt verb it cannot print).
 *
 * @example
 * const format = compilePattern('%{time:15:04:05} %{level:.4s} %{message}', { colors: false })
 * format({ time: new Date(), level: 40, id: 1, message: 'a backend is slow' }) // '10:02:03 WARN a backend is slow'
 */
export function compilePattern(pattern: string, options: PatternOptions): Pattern {
  const parts: Pattern[] = []
  let last = 0
  let verbs = 0
  for (const match of pattern.matchAll(VERB)) {
    const [whole, name, layout] = match as unknown as [string, string, string | undefined]
    if (match.index! > last) parts.push(constant(pattern.slice(last, match.index)))
    last = match.index! + whole.length
    verbs++
    parts.push(verbPart(name, layout, options))
  }
  if (verbs === 0) throw new PatternError('has no %{verb}: write at least %{message}')
  if (last < pattern.length) parts.push(constant(pattern.slice(last)))
  return (line) => {
    let text = ''
    for (const part of parts) text += part(line)
    return text
  }
}

function constant(text: string): Pattern {
  return () => text
}

function verbPart(name: string, layout: string | undefined, options: PatternOptions): Pattern {
  if (!VERBS.has(name)) throw new PatternError(`has an unknown variable %{${name}}: use time, level, id, pid, program, module, message or color`)
  if (name === 'time') {
    const format = goTimeLayout(layout ?? RFC3339_MILLI)
    return (line) => format(line.time)
  }
  if (name === 'color') return colorPart(layout, options.colors)
  const print = goPrintf(layout ?? (name === 'id' || name === 'pid' ? 'd' : 's'))
  if (CALL_SITE.has(name)) return constant(print('???'))
  switch (name) {
    case 'level':
      return (line) => {
        const label = krakendLevel(line.level)
        return print(label, LEVEL_NUMBERS[label])
      }
    case 'id':
      return (line) => print(line.id)
    case 'pid':
      return constant(print(process.pid))
    case 'program':
      return constant(print(basename(process.argv[1] ?? process.argv0)))
    case 'module':
      return constant(print(options.module ?? 'RXGATE'))
    default:
      return (line) => print(line.message)
  }
}

function colorPart(layout: string | undefined, colors: boolean): Pattern {
  if (!colors) return constant('')
  if (layout === 'reset') return constant('\x1b[0m')
  const bold = layout === 'bold'
  return (line) => {
    const color = COLORS[krakendLevel(line.level)]
    if (color === undefined) return ''
    return bold ? `\x1b[${color};1m` : `\x1b[${color}m`
  }
}

const FMT = /^([-+# 0]*)(\d*)(?:\.(\d*))?([svdqxX])$/

/**
 * A Go fmt verb without its `%` (`s`, `.6s`, `-8s`, `05d`, `q`), compiled into a printer. The
 * value is printed as text (`s`, `v`, `q`) or as a number (`d`, `x`); `number` is what a
 * number verb prints for a value that is text (go-logging's level numbers).
 */
function goPrintf(verb: string): (value: string | number, number?: number) => string {
  const match = FMT.exec(verb)
  if (!match) throw new PatternError(`has a layout Go's fmt would not print here: %${verb} (use one like s, .6s, -8s, d or 05d)`)
  const [, flags = '', width = '', precision, conversion] = match
  const left = flags.includes('-')
  const zeros = flags.includes('0') && !left
  const size = width === '' ? 0 : Number(width)
  return (value, number) => {
    let text: string
    switch (conversion) {
      case 'd':
        text = String(typeof value === 'number' ? value : (number ?? value))
        break
      case 'x':
      case 'X': {
        text = typeof value === 'number' ? value.toString(16) : Buffer.from(value).toString('hex')
        if (conversion === 'X') text = text.toUpperCase()
        break
      }
      case 'q':
        text = JSON.stringify(String(value))
        break
      default:
        text = String(value)
        if (precision !== undefined) text = [...text].slice(0, Number(precision || 0)).join('')
    }
    if (text.length >= size) return text
    if (left) return text.padEnd(size)
    return zeros && (conversion === 'd' || conversion === 'x' || conversion === 'X') ? text.padStart(size, '0') : text.padStart(size)
  }
}
