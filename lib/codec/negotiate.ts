/** The formats `negotiate` can answer in. */
export type Format = 'json' | 'xml' | 'yaml'

/**
 * What `negotiate` offers, in the order that breaks ties: JSON first, then `text/plain` as YAML
 * (KrakenD's negotiate answers `text/plain` with YAML), XML, and YAML's own media types.
 */
const OFFERS: readonly (readonly [type: string, subtype: string, format: Format])[] = [
  ['application', 'json', 'json'],
  ['text', 'plain', 'yaml'],
  ['application', 'xml', 'xml'],
  ['text', 'xml', 'xml'],
  ['application', 'x-yaml', 'yaml'],
  ['application', 'yaml', 'yaml'],
  ['text', 'yaml', 'yaml'],
  ['text', 'x-yaml', 'yaml'],
]

/** Distinct `Accept` values remembered; clients send few distinct ones, but a client could send many. */
const CACHE_SIZE = 256

/**
 * Compiles the choice of a format from a request's `Accept` header (RFC 9110 §12.5.1): each offer
 * takes the quality of the most specific range that matches it (`application/xml` over
 * `application/*` over `*\/*`); the highest quality wins, then the range listed first, then the
 * offer order above. No `Accept`, or none of the offers acceptable: JSON, as KrakenD does (it never
 * answers 406). Parsed results are cached per distinct header value, so a client's repeated
 * requests cost one map lookup.
 */
export function negotiator(): (accept: string | string[] | undefined) => Format {
  const cache = new Map<string, Format>()
  return (accept) => {
    if (accept === undefined) return 'json'
    const header = typeof accept === 'string' ? accept : accept.join(', ')
    let format = cache.get(header)
    if (format === undefined) {
      format = choose(header)
      if (cache.size >= CACHE_SIZE) cache.clear()
      cache.set(header, format)
    }
    return format
  }
}

interface Range {
  readonly type: string
  readonly subtype: string
  readonly q: number
  readonly position: number
}

function choose(header: string): Format {
  const ranges = parse(header)
  let best: Format = 'json'
  let bestQ = 0
  let bestPosition = Infinity
  for (const [type, subtype, format] of OFFERS) {
    const range = match(ranges, type, subtype)
    if (!range || range.q <= 0) continue
    if (range.q > bestQ || (range.q === bestQ && range.position < bestPosition)) {
      best = format
      bestQ = range.q
      bestPosition = range.position
    }
  }
  return best
}

/** The most specific range covering `type/subtype`, if any. */
function match(ranges: readonly Range[], type: string, subtype: string): Range | undefined {
  let found: Range | undefined
  let specificity = -1
  for (const range of ranges) {
    let level: number
    if (range.type === type && range.subtype === subtype) level = 2
    else if (range.type === type && range.subtype === '*') level = 1
    else if (range.type === '*' && range.subtype === '*') level = 0
    else continue
    if (level > specificity) {
      found = range
      specificity = level
    }
  }
  return found
}

function parse(header: string): Range[] {
  const ranges: Range[] = []
  for (const [position, part] of header.split(',').entries()) {
    const [media = '', ...params] = part.split(';')
    const slash = media.indexOf('/')
    if (slash < 0) continue
    const type = media.slice(0, slash).trim().toLowerCase()
    const subtype = media.slice(slash + 1).trim().toLowerCase()
    if (type === '' || subtype === '') continue
    let q = 1
    for (const param of params) {
      const [name = '', value = ''] = param.split('=')
      if (name.trim().toLowerCase() !== 'q') continue
      const parsed = Number(value.trim())
      q = Number.isFinite(parsed) ? Math.min(Math.max(parsed, 0), 1) : 0
    }
    ranges.push({ type, subtype, q, position })
  }
  return ranges
}
