/**
 * Go's time layouts (`2006/01/02 - 15:04:05.000`), the way KrakenD's `custom_format` writes its
 * `%{time:...}`: compiled once into a function from a date to its text, in the process's local
 * time zone, as Go's `time.Now()` is.
 */
export type TimeFormat = (date: Date) => string

type Part = string | TimeFormat

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']

const pad = (value: number, width: number, fill = '0') => String(value).padStart(width, fill)
const hour12 = (date: Date) => date.getHours() % 12 || 12
const yearDay = (date: Date) => Math.round((Date.UTC(date.getFullYear(), date.getMonth(), date.getDate()) - Date.UTC(date.getFullYear(), 0, 1)) / 86_400_000) + 1

/** A zone offset as Go writes it: `sign` and separators from the layout element, `Z` for UTC when asked. */
function offset(date: Date, utcAsZ: boolean, colons: boolean, parts: 1 | 2 | 3): string {
  const minutes = -date.getTimezoneOffset()
  if (utcAsZ && minutes === 0) return 'Z'
  const sign = minutes < 0 ? '-' : '+'
  const abs = Math.abs(minutes)
  const fields = [pad(Math.floor(abs / 60), 2), pad(abs % 60, 2), '00'].slice(0, parts)
  return sign + fields.join(colons ? ':' : '')
}

/** The zone's abbreviation, as far as Intl knows it (`UTC`, `CET`, else `GMT+2`). */
function zoneName(date: Date): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(date).find((p) => p.type === 'timeZoneName')
  return part?.value ?? ''
}

/** Go's layout elements, longest first where one is the start of another. */
const ELEMENTS: readonly (readonly [string, TimeFormat])[] = [
  ['January', (d) => MONTHS[d.getMonth()]!],
  ['Jan', (d) => MONTHS[d.getMonth()]!.slice(0, 3)],
  ['Monday', (d) => DAYS[d.getDay()]!],
  ['Mon', (d) => DAYS[d.getDay()]!.slice(0, 3)],
  ['MST', zoneName],
  ['2006', (d) => pad(d.getFullYear(), 4)],
  ['002', (d) => pad(yearDay(d), 3)],
  ['__2', (d) => pad(yearDay(d), 3, ' ')],
  // `_2006` is `_` and the year, not `_2` and `006`
  ['_2006', (d) => `_${pad(d.getFullYear(), 4)}`],
  ['_2', (d) => pad(d.getDate(), 2, ' ')],
  ['01', (d) => pad(d.getMonth() + 1, 2)],
  ['02', (d) => pad(d.getDate(), 2)],
  ['03', (d) => pad(hour12(d), 2)],
  ['04', (d) => pad(d.getMinutes(), 2)],
  ['05', (d) => pad(d.getSeconds(), 2)],
  ['06', (d) => pad(d.getFullYear() % 100, 2)],
  ['15', (d) => pad(d.getHours(), 2)],
  ['1', (d) => String(d.getMonth() + 1)],
  ['2', (d) => String(d.getDate())],
  ['3', (d) => String(hour12(d))],
  ['4', (d) => String(d.getMinutes())],
  ['5', (d) => String(d.getSeconds())],
  ['PM', (d) => (d.getHours() >= 12 ? 'PM' : 'AM')],
  ['pm', (d) => (d.getHours() >= 12 ? 'pm' : 'am')],
  ['Z07:00:00', (d) => offset(d, true, true, 3)],
  ['Z070000', (d) => offset(d, true, false, 3)],
  ['Z07:00', (d) => offset(d, true, true, 2)],
  ['Z0700', (d) => offset(d, true, false, 2)],
  ['Z07', (d) => offset(d, true, false, 1)],
  ['-07:00:00', (d) => offset(d, false, true, 3)],
  ['-070000', (d) => offset(d, false, false, 3)],
  ['-07:00', (d) => offset(d, false, true, 2)],
  ['-0700', (d) => offset(d, false, false, 2)],
  ['-07', (d) => offset(d, false, false, 1)],
]

/** `.000` (fixed digits) or `.999` (trailing zeros dropped), also with `,`: fractions of a second, to milliseconds. */
const FRACTION = /^[.,](0+|9+)(?!\d)/

function fraction(separator: string, digits: string): TimeFormat {
  const width = digits.length
  const fixed = digits[0] === '0'
  return (date) => {
    // JavaScript dates hold milliseconds: finer digits are zeros
    const text = pad(date.getMilliseconds(), 3).padEnd(width, '0').slice(0, width)
    if (fixed) return separator + text
    const trimmed = text.replace(/0+$/, '')
    return trimmed === '' ? '' : separator + trimmed
  }
}

/**
 * Compiles a Go time layout, once, into a function that formats a date with it.
 *
 * @example
 * const format = goTimeLayout('2006/01/02 - 15:04:05.000')
 * format(new Date(2024, 0, 2, 3, 4, 5, 60)) // '2024/01/02 - 03:04:05.060'
 */
export function goTimeLayout(layout: string): TimeFormat {
  const parts: Part[] = []
  let literal = ''
  let i = 0
  outer: while (i < layout.length) {
    const rest = layout.slice(i)
    const frac = FRACTION.exec(rest)
    if (frac) {
      parts.push(literal, fraction(rest[0]!, frac[1]!))
      literal = ''
      i += frac[0].length
      continue
    }
    for (const [element, format] of ELEMENTS) {
      if (rest.startsWith(element)) {
        parts.push(literal, format)
        literal = ''
        i += element.length
        continue outer
      }
    }
    literal += layout[i]
    i++
  }
  parts.push(literal)
  const compiled = parts.filter((part) => part !== '')
  return (date) => {
    let text = ''
    for (const part of compiled) text += typeof part === 'string' ? part : part(date)
    return text
  }
}
