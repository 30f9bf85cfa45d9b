/**
 * The directives of a `Cache-Control` header (RFC 9111 §5.2), by lower-case name: `true` for a
 * directive without argument, else its argument, unquoted (`private="set-cookie"` gives
 * `set-cookie`). The first occurrence of a directive wins, as RFC 9111 §4.2.1 advises for
 * duplicates. Lines joined with commas (as Node joins repeated headers) read as one list.
 *
 * @example
 * cacheControl('public, max-age=60, s-maxage="300"')
 * // Map { 'public' => true, 'max-age' => '60', 's-maxage' => '300' }
 */
export function cacheControl(header: string | string[] | undefined): CacheDirectives {
  if (header === undefined) return NONE
  const text = Array.isArray(header) ? header.join(',') : header
  if (text === '') return NONE
  const directives = new Map<string, string | true>()
  let i = 0
  while (i < text.length) {
    // a name: up to `=`, `,` or the end
    let end = i
    while (end < text.length && text[end] !== '=' && text[end] !== ',') end++
    const name = text.slice(i, end).trim().toLowerCase()
    let value: string | true = true
    i = end
    if (text[i] === '=') {
      i++
      while (text[i] === ' ' || text[i] === '\t') i++
      if (text[i] === '"') {
        // a quoted-string: `\` escapes the next character
        let quoted = ''
        i++
        while (i < text.length && text[i] !== '"') {
          if (text[i] === '\\' && i + 1 < text.length) i++
          quoted += text[i]
          i++
        }
        value = quoted
        while (i < text.length && text[i] !== ',') i++
      } else {
        let stop = i
        while (stop < text.length && text[stop] !== ',') stop++
        value = text.slice(i, stop).trim()
        i = stop
      }
    }
    i++ // the comma
    if (name !== '' && !directives.has(name)) directives.set(name, value)
  }
  return directives
}

/** Directives by lower-case name; `true` for one without argument. */
export type CacheDirectives = ReadonlyMap<string, string | true>

const NONE: CacheDirectives = new Map()

/** Above it, a delta-seconds value is read as this (RFC 9111 §1.2.2). */
const MAX_DELTA_SECONDS = 2 ** 31

/**
 * A directive's delta-seconds argument (RFC 9111 §1.2.2): `undefined` when the directive is
 * absent, `NaN` when its argument is not a non-negative whole number (`max-age=soon`, or none).
 *
 * @example
 * deltaSeconds(cacheControl('max-age=60'), 'max-age')   // 60
 * deltaSeconds(cacheControl('max-age=-1'), 'max-age')   // NaN
 */
export function deltaSeconds(directives: CacheDirectives, name: string): number | undefined {
  const value = directives.get(name)
  if (value === undefined) return undefined
  if (value === true || !/^\d+$/.test(value)) return Number.NaN
  return Math.min(Number(value), MAX_DELTA_SECONDS)
}
