/**
 * An instant as Go's `time.Time` holds it: seconds since the Unix epoch, nanoseconds, and the
 * offset of its zone (which decides how it is written, not when it is).
 */
export interface GoTime {
  readonly unixSeconds: number
  readonly nanos: number
  /** Seconds east of UTC. */
  readonly offset: number
}

/**
 * Go's `time.Parse(layout, value)` for the layouts feeds use: Go's reference-time tokens
 * (`Mon`, `January`, `02`, `_2`, `2006`, `15`, `3`, `PM`, `MST`, `-07:00`, `Z07:00`, `.000`...),
 * a fractional second accepted after the seconds even when the layout has none, a run of spaces
 * matching any run of spaces, day validated against the month. A zone abbreviation other than
 * `UTC` and `GMT±h` reads as offset 0: what Go does when the abbreviation is not the local zone's,
 * and KrakenD runs in UTC. `undefined` when the value does not match.
 *
 * @example
 * parseGoTime('Mon, 02 Jan 2006 15:04:05 -0700', 'Tue, 03 Jun 2003 09:39:21 +0200')
 * // { unixSeconds: 1054625961, nanos: 0, offset: 7200 }
 */
export function parseGoTime(layout: string, value: string): GoTime | undefined {
  let year = 0
  let month = -1
  let day = -1
  let hour = 0
  let minute = 0
  let second = 0
  let nanos = 0
  let utc = false
  let zoneOffset: number | undefined
  let zoneName = ''
  let pm = false
  let am = false
  let rest = value

  for (;;) {
    const { prefix, std, suffix, digits } = nextChunk(layout)
    const skipped = skip(rest, prefix)
    if (skipped === undefined) return undefined
    rest = skipped
    if (std === Std.None) {
      if (rest.length !== 0) return undefined
      break
    }
    layout = suffix
    switch (std) {
      case Std.Year: {
        if (rest.length < 2 || !isDigits(rest.slice(0, 2))) return undefined
        year = Number(rest.slice(0, 2))
        year += year >= 69 ? 1900 : 2000
        rest = rest.slice(2)
        break
      }
      case Std.LongYear: {
        if (rest.length < 4 || !isDigits(rest.slice(0, 4))) return undefined
        year = Number(rest.slice(0, 4))
        rest = rest.slice(4)
        break
      }
      case Std.Month:
      case Std.LongMonth: {
        const found = lookup(std === Std.Month ? SHORT_MONTHS : LONG_MONTHS, rest)
        if (!found) return undefined
        month = found.index + 1
        rest = found.rest
        break
      }
      case Std.NumMonth:
      case Std.ZeroMonth: {
        const got = getNumber(rest, std === Std.ZeroMonth)
        if (!got || got.value <= 0 || got.value > 12) return undefined
        month = got.value
        rest = got.rest
        break
      }
      case Std.WeekDay:
      case Std.LongWeekDay: {
        // Read to move past it; Go does not check it against the date.
        const found = lookup(std === Std.WeekDay ? SHORT_DAYS : LONG_DAYS, rest)
        if (!found) return undefined
        rest = found.rest
        break
      }
      case Std.Day:
      case Std.UnderDay:
      case Std.ZeroDay: {
        if (std === Std.UnderDay && rest[0] === ' ') rest = rest.slice(1)
        const got = getNumber(rest, std === Std.ZeroDay)
        if (!got) return undefined
        day = got.value
        rest = got.rest
        break
      }
      case Std.Hour: {
        const got = getNumber(rest, false)
        if (!got || got.value >= 24) return undefined
        hour = got.value
        rest = got.rest
        break
      }
      case Std.Hour12:
      case Std.ZeroHour12: {
        const got = getNumber(rest, std === Std.ZeroHour12)
        if (!got || got.value > 12) return undefined
        hour = got.value
        rest = got.rest
        break
      }
      case Std.Minute:
      case Std.ZeroMinute: {
        const got = getNumber(rest, std === Std.ZeroMinute)
        if (!got || got.value >= 60) return undefined
        minute = got.value
        rest = got.rest
        break
      }
      case Std.Second:
      case Std.ZeroSecond: {
        const got = getNumber(rest, std === Std.ZeroSecond)
        if (!got || got.value >= 60) return undefined
        second = got.value
        rest = got.rest
        // A fractional second the layout does not mention is read anyway.
        if (rest.length >= 2 && isCommaOrPeriod(rest[0]!) && isDigit(rest[1])) {
          const next = nextChunk(layout).std
          if (next === Std.FracSecond0 || next === Std.FracSecond9) break
          let n = 2
          while (n < rest.length && isDigit(rest[n])) n++
          nanos = nanoseconds(rest, n)
          rest = rest.slice(n)
        }
        break
      }
      case Std.PM:
      case Std.pm: {
        if (rest.length < 2) return undefined
        const marker = rest.slice(0, 2)
        const [p, a] = std === Std.PM ? ['PM', 'AM'] : ['pm', 'am']
        if (marker === p) pm = true
        else if (marker === a) am = true
        else return undefined
        rest = rest.slice(2)
        break
      }
      case Std.ISO8601TZ:
      case Std.ISO8601ShortTZ:
      case Std.ISO8601ColonTZ:
      case Std.ISO8601SecondsTZ:
      case Std.ISO8601ColonSecondsTZ:
      case Std.NumTZ:
      case Std.NumShortTZ:
      case Std.NumColonTZ:
      case Std.NumSecondsTZ:
      case Std.NumColonSecondsTZ: {
        if (std >= Std.ISO8601TZ && rest[0] === 'Z') {
          rest = rest.slice(1)
          utc = true
          break
        }
        const zone = numericZone(std, rest)
        if (!zone) return undefined
        zoneOffset = zone.offset
        rest = zone.rest
        break
      }
      case Std.TZ: {
        if (rest.startsWith('UTC')) {
          utc = true
          rest = rest.slice(3)
          break
        }
        const length = timeZoneLength(rest)
        if (length === 0) return undefined
        zoneName = rest.slice(0, length)
        rest = rest.slice(length)
        break
      }
      case Std.FracSecond0: {
        if (rest.length < 1 + digits || !isCommaOrPeriod(rest[0]!)) return undefined
        nanos = nanoseconds(rest, 1 + digits)
        if (Number.isNaN(nanos)) return undefined
        rest = rest.slice(1 + digits)
        break
      }
      case Std.FracSecond9: {
        if (rest.length < 2 || !isCommaOrPeriod(rest[0]!) || !isDigit(rest[1])) break
        let i = 0
        while (i + 1 < rest.length && isDigit(rest[i + 1])) i++
        nanos = nanoseconds(rest, 1 + i)
        rest = rest.slice(1 + i)
        break
      }
    }
    if (Number.isNaN(nanos)) return undefined
  }

  if (pm && hour < 12) hour += 12
  else if (am && hour === 12) hour = 0
  if (month < 0) month = 1
  if (day < 0) day = 1
  if (day < 1 || day > daysIn(month, year)) return undefined

  const wall = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second
  if (utc) return { unixSeconds: wall, nanos, offset: 0 }
  if (zoneOffset !== undefined) return { unixSeconds: wall - zoneOffset, nanos, offset: zoneOffset }
  if (zoneName !== '') {
    const offset = zoneName.length > 3 && zoneName.startsWith('GMT') ? Number.parseInt(zoneName.slice(3), 10) * 3600 : 0
    return { unixSeconds: wall - offset, nanos, offset }
  }
  return { unixSeconds: wall, nanos, offset: 0 }
}

/** The same instant in UTC (Go's `t.UTC()`). */
export function inUtc(time: GoTime): GoTime {
  return { ...time, offset: 0 }
}

/**
 * How Go's `encoding/json` writes a `time.Time`: RFC 3339 with nanoseconds, trailing zeros
 * dropped, `Z` for a zero offset.
 *
 * @example
 * goTimeJson({ unixSeconds: 1054625961, nanos: 0, offset: 7200 })   // "2003-06-03T09:39:21+02:00"
 */
export function goTimeJson(time: GoTime): string {
  const wall = time.unixSeconds + time.offset
  const days = Math.floor(wall / 86400)
  const secondsOfDay = wall - days * 86400
  const { year, month, day } = civilFromDays(days)
  const pad = (n: number, width = 2) => String(n).padStart(width, '0')
  let text = `${year < 0 ? '-' + pad(-year, 4) : pad(year, 4)}-${pad(month)}-${pad(day)}T`
  text += `${pad(Math.floor(secondsOfDay / 3600))}:${pad(Math.floor((secondsOfDay % 3600) / 60))}:${pad(secondsOfDay % 60)}`
  if (time.nanos > 0) text += '.' + pad(time.nanos, 9).replace(/0+$/, '')
  if (time.offset === 0) return text + 'Z'
  const minutes = Math.floor(Math.abs(time.offset) / 60)
  return `${text}${time.offset < 0 ? '-' : '+'}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`
}

enum Std {
  None,
  Month,
  LongMonth,
  NumMonth,
  ZeroMonth,
  WeekDay,
  LongWeekDay,
  Day,
  UnderDay,
  ZeroDay,
  Hour,
  Hour12,
  ZeroHour12,
  Minute,
  ZeroMinute,
  Second,
  ZeroSecond,
  LongYear,
  Year,
  PM,
  pm,
  TZ,
  NumTZ,
  NumSecondsTZ,
  NumShortTZ,
  NumColonTZ,
  NumColonSecondsTZ,
  // The ISO 8601 forms (`Z07:00`) come last: they also accept `Z`.
  ISO8601TZ,
  ISO8601SecondsTZ,
  ISO8601ShortTZ,
  ISO8601ColonTZ,
  ISO8601ColonSecondsTZ,
  FracSecond0,
  FracSecond9,
}

const SHORT_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const LONG_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']
const SHORT_DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']

const ZONE_TOKENS: readonly (readonly [string, Std])[] = [
  ['-070000', Std.NumSecondsTZ],
  ['-07:00:00', Std.NumColonSecondsTZ],
  ['-0700', Std.NumTZ],
  ['-07:00', Std.NumColonTZ],
  ['-07', Std.NumShortTZ],
  ['Z070000', Std.ISO8601SecondsTZ],
  ['Z07:00:00', Std.ISO8601ColonSecondsTZ],
  ['Z0700', Std.ISO8601TZ],
  ['Z07:00', Std.ISO8601ColonTZ],
  ['Z07', Std.ISO8601ShortTZ],
]

const ZERO_TOKENS = [Std.ZeroMonth, Std.ZeroDay, Std.ZeroHour12, Std.ZeroMinute, Std.ZeroSecond, Std.Year]

/** Go's `nextStdChunk`: the literal text before the first token, the token, and what follows. */
function nextChunk(layout: string): { prefix: string; std: Std; suffix: string; digits: number } {
  const found = (i: number, std: Std, length: number, digits = 0) => ({ prefix: layout.slice(0, i), std, suffix: layout.slice(i + length), digits })
  for (let i = 0; i < layout.length; i++) {
    const c = layout[i]!
    const at = (text: string) => layout.startsWith(text, i)
    switch (c) {
      case 'J':
        if (at('January')) return found(i, Std.LongMonth, 7)
        if (at('Jan') && !isLower(layout[i + 3])) return found(i, Std.Month, 3)
        break
      case 'M':
        if (at('Monday')) return found(i, Std.LongWeekDay, 6)
        if (at('Mon') && !isLower(layout[i + 3])) return found(i, Std.WeekDay, 3)
        if (at('MST')) return found(i, Std.TZ, 3)
        break
      case '0': {
        const next = layout.charCodeAt(i + 1)
        if (next >= 0x31 && next <= 0x36) return found(i, ZERO_TOKENS[next - 0x31]!, 2)
        break
      }
      case '1':
        if (at('15')) return found(i, Std.Hour, 2)
        return found(i, Std.NumMonth, 1)
      case '2':
        if (at('2006')) return found(i, Std.LongYear, 4)
        return found(i, Std.Day, 1)
      case '_':
        if (layout[i + 1] === '2') {
          // `_2006` is a literal `_` and the year.
          if (layout.startsWith('2006', i + 1)) return { prefix: layout.slice(0, i + 1), std: Std.LongYear, suffix: layout.slice(i + 5), digits: 0 }
          return found(i, Std.UnderDay, 2)
        }
        break
      case '3':
        return found(i, Std.Hour12, 1)
      case '4':
        return found(i, Std.Minute, 1)
      case '5':
        return found(i, Std.Second, 1)
      case 'P':
        if (layout[i + 1] === 'M') return found(i, Std.PM, 2)
        break
      case 'p':
        if (layout[i + 1] === 'm') return found(i, Std.pm, 2)
        break
      case '-':
      case 'Z':
        for (const [token, std] of ZONE_TOKENS) if (at(token)) return found(i, std, token.length)
        break
      case '.':
      case ',': {
        const digit = layout[i + 1]
        if (digit === '0' || digit === '9') {
          let j = i + 1
          while (j < layout.length && layout[j] === digit) j++
          if (!isDigit(layout[j])) return found(i, digit === '0' ? Std.FracSecond0 : Std.FracSecond9, j - i, j - i - 1)
        }
        break
      }
    }
  }
  return { prefix: layout, std: Std.None, suffix: '', digits: 0 }
}

/** Go's `skip`: the layout's literal text must be there; a space in it matches any run of spaces. */
function skip(value: string, prefix: string): string | undefined {
  while (prefix.length > 0) {
    if (prefix[0] === ' ') {
      if (value.length > 0 && value[0] !== ' ') return undefined
      prefix = prefix.replace(/^ +/, '')
      value = value.replace(/^ +/, '')
      continue
    }
    if (value.length === 0 || value[0] !== prefix[0]) return undefined
    prefix = prefix.slice(1)
    value = value.slice(1)
  }
  return value
}

/** Go's `lookup`: the first name the value starts with, ignoring ASCII case. */
function lookup(names: readonly string[], value: string): { index: number; rest: string } | undefined {
  for (let index = 0; index < names.length; index++) {
    const name = names[index]!
    if (value.length >= name.length && value.slice(0, name.length).toLowerCase() === name.toLowerCase()) return { index, rest: value.slice(name.length) }
  }
  return undefined
}

/** Go's `getnum`: one or two digits, exactly two when fixed. */
function getNumber(value: string, fixed: boolean): { value: number; rest: string } | undefined {
  if (!isDigit(value[0])) return undefined
  if (!isDigit(value[1])) return fixed ? undefined : { value: Number(value[0]), rest: value.slice(1) }
  return { value: Number(value.slice(0, 2)), rest: value.slice(2) }
}

function numericZone(std: Std, value: string): { offset: number; rest: string } | undefined {
  let sign: string, hours: string, minutes: string, seconds: string, rest: string
  if (std === Std.ISO8601ColonTZ || std === Std.NumColonTZ) {
    if (value.length < 6 || value[3] !== ':') return undefined
    ;[sign, hours, minutes, seconds, rest] = [value[0]!, value.slice(1, 3), value.slice(4, 6), '00', value.slice(6)]
  } else if (std === Std.NumShortTZ || std === Std.ISO8601ShortTZ) {
    if (value.length < 3) return undefined
    ;[sign, hours, minutes, seconds, rest] = [value[0]!, value.slice(1, 3), '00', '00', value.slice(3)]
  } else if (std === Std.ISO8601ColonSecondsTZ || std === Std.NumColonSecondsTZ) {
    if (value.length < 9 || value[3] !== ':' || value[6] !== ':') return undefined
    ;[sign, hours, minutes, seconds, rest] = [value[0]!, value.slice(1, 3), value.slice(4, 6), value.slice(7, 9), value.slice(9)]
  } else if (std === Std.ISO8601SecondsTZ || std === Std.NumSecondsTZ) {
    if (value.length < 7) return undefined
    ;[sign, hours, minutes, seconds, rest] = [value[0]!, value.slice(1, 3), value.slice(3, 5), value.slice(5, 7), value.slice(7)]
  } else {
    if (value.length < 5) return undefined
    ;[sign, hours, minutes, seconds, rest] = [value[0]!, value.slice(1, 3), value.slice(3, 5), '00', value.slice(5)]
  }
  if (!isDigits(hours) || !isDigits(minutes) || !isDigits(seconds) || (sign !== '+' && sign !== '-')) return undefined
  const offset = (Number(hours) * 60 + Number(minutes)) * 60 + Number(seconds)
  return { offset: sign === '-' ? -offset : offset, rest }
}

/** Go's `parseTimeZone`: how long the zone abbreviation at the start is; 0 when there is none. */
function timeZoneLength(value: string): number {
  if (value.length < 3) return 0
  if (value.startsWith('ChST') || value.startsWith('MeST')) return 4
  if (value.startsWith('GMT')) return 3 + signedOffsetLength(value.slice(3))
  if (value[0] === '+' || value[0] === '-') return signedOffsetLength(value)
  let upper = 0
  while (upper < 6 && upper < value.length && value[upper]! >= 'A' && value[upper]! <= 'Z') upper++
  if (upper === 3) return 3
  if (upper === 4 && (value[3] === 'T' || value.startsWith('WITA'))) return 4
  if (upper === 5 && value[4] === 'T') return 5
  return 0
}

function signedOffsetLength(value: string): number {
  const match = /^[+-](\d+)/.exec(value)
  if (!match || Number(match[1]) > 23) return 0
  return match[0].length
}

function nanoseconds(value: string, length: number): number {
  const digits = value.slice(1, Math.min(length, 10))
  if (!isDigits(digits)) return Number.NaN
  return Number(digits.padEnd(9, '0'))
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9'
}

function isLower(c: string | undefined): boolean {
  return c !== undefined && c >= 'a' && c <= 'z'
}

function isDigits(text: string): boolean {
  return text.length > 0 && /^[0-9]+$/.test(text)
}

function isCommaOrPeriod(c: string): boolean {
  return c === '.' || c === ','
}

function daysIn(month: number, year: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!
}

// Proleptic Gregorian calendar, any year (H. Hinnant's days_from_civil / civil_from_days).
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yearOfEra = y - era * 400
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  return era * 146097 + dayOfEra - 719468
}

function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const dayOfEra = z - era * 146097
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365)
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100))
  const mp = Math.floor((5 * dayOfYear + 2) / 153)
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day }
}
