import { ErrorCodes, RxgateError } from '../lib/errors.js'

/** Milliseconds as a number, or a string with a unit as KrakenD writes them: `'800ms'`, `'3s'`, `'1m'`. */
export type Duration = number | string

const UNITS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
const PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y

/**
 * Reads a duration into milliseconds. Strings follow Go's `time.ParseDuration` (KrakenD's format),
 * so compound values like `'1m30s'` work too.
 *
 * @example
 * toMilliseconds('800ms') // 800
 * toMilliseconds('1m30s') // 90000
 */
export function toMilliseconds(duration: Duration): number {
  if (typeof duration === 'number') {
    if (Number.isFinite(duration) && duration >= 0) return duration
  } else {
    const text = duration.trim()
    let total = 0
    PART.lastIndex = 0
    while (PART.lastIndex < text.length) {
      const start = PART.lastIndex
      const match = PART.exec(text)
      if (!match || match.index !== start) return bad(duration)
      total += Number(match[1]) * UNITS[match[2]!]!
    }
    if (text.length > 0) return total
  }
  return bad(duration)
}

function bad(duration: Duration): never {
  throw new RxgateError(
    ErrorCodes.BAD_DURATION,
    `invalid duration ${JSON.stringify(duration)}: use milliseconds (800) or a string like "800ms", "3s", "1m30s"`,
  )
}
