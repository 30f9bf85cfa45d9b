import type { IncomingHttpHeaders } from 'node:http'
import { cacheControl, deltaSeconds, type CacheDirectives } from './cache-control.js'

/**
 * RFC 9111's rules for a shared cache, which a gateway is (one answer serves every client): what
 * may be stored, for how long it is fresh, when it may be reused, and when it must be validated
 * again. Pure functions of headers and times, so that every rule is tested on its own
 * (spec/middleware/http-cache-rules.spec.ts). Heuristic freshness (§4.2.2) is not used: an answer
 * without explicit freshness is only kept to be validated (it has an `ETag` or `Last-Modified`).
 */

/** The answer headers the cache reads, and keeps to judge an answer again after a 304. */
const KEPT_HEADERS = ['cache-control', 'expires', 'date', 'age', 'etag', 'last-modified', 'vary'] as const

/** What the cache keeps of an answer's head: enough to judge its freshness now and after a 304. */
export interface AnswerHead {
  readonly status: number
  /** The caching headers of the answer (lower-case names), each as one line. */
  readonly headers: Readonly<Record<string, string>>
  /** When the request was sent, and when the answer's head arrived (ms since the epoch). */
  readonly requestTime: number
  readonly responseTime: number
}

/**
 * The caching headers of a backend's answer, with its times.
 *
 * @example
 * answerHead(200, { 'cache-control': 'max-age=60', date: new Date().toUTCString() }, sentAt, Date.now())
 */
export function answerHead(status: number, headers: IncomingHttpHeaders, requestTime: number, responseTime: number): AnswerHead {
  const kept: Record<string, string> = {}
  for (const name of KEPT_HEADERS) {
    const value = headers[name]
    if (value !== undefined) kept[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return { status, headers: kept, requestTime, responseTime }
}

/**
 * A stored answer's head after a 304 that validated it (RFC 9111 §4.3.4): the 304's caching
 * headers replace the stored ones, and its times become the answer's.
 */
export function freshened(stored: AnswerHead, notModified: IncomingHttpHeaders, requestTime: number, responseTime: number): AnswerHead {
  const update = answerHead(stored.status, notModified, requestTime, responseTime)
  return { ...update, headers: { ...stored.headers, ...update.headers } }
}

/** How fresh an answer is, derived once from its head. Times in ms. */
export interface Freshness {
  /** Freshness lifetime (§4.2.1): `s-maxage`, else `max-age`, else `Expires` minus `Date`; 0 without any. */
  readonly lifetime: number
  /** Its age when it arrived (§4.2.3's corrected_initial_age). */
  readonly initialAge: number
  readonly responseTime: number
  /** `no-cache`: validated before each use. */
  readonly noCache: boolean
  /** `must-revalidate`, `proxy-revalidate` or `s-maxage`: never served stale. */
  readonly mustRevalidate: boolean
  /** `stale-if-error` (RFC 5861): how long past its lifetime it may stand in for a failing backend. */
  readonly staleIfError: number | undefined
  readonly etag: string | undefined
  readonly lastModified: string | undefined
}

/**
 * An answer's freshness (RFC 9111 §4.2), for a shared cache.
 *
 * @example
 * freshness(answerHead(200, { 'cache-control': 'max-age=60, s-maxage=300' }, t, t)).lifetime   // 300000
 */
export function freshness(head: AnswerHead): Freshness {
  const { headers, requestTime, responseTime } = head
  const directives = cacheControl(headers['cache-control'])
  const date = httpDate(headers.date) ?? responseTime
  // §4.2.3: apparent age, or the Age the answer came with plus the time it took, the larger
  const apparentAge = Math.max(0, responseTime - date)
  const ageValue = /^\d+$/.test(headers.age ?? '') ? Number(headers.age) * 1000 : 0
  const initialAge = Math.max(apparentAge, ageValue + (responseTime - requestTime))
  const staleIfError = deltaSeconds(directives, 'stale-if-error')
  return {
    lifetime: lifetime(directives, headers, date),
    initialAge,
    responseTime,
    noCache: directives.has('no-cache'),
    mustRevalidate: directives.has('must-revalidate') || directives.has('proxy-revalidate') || directives.has('s-maxage'),
    staleIfError: staleIfError === undefined || Number.isNaN(staleIfError) ? undefined : staleIfError * 1000,
    etag: headers.etag,
    lastModified: headers['last-modified'],
  }
}

/** §4.2.1, for a shared cache; an invalid value means stale (0). */
function lifetime(directives: CacheDirectives, headers: Readonly<Record<string, string>>, date: number): number {
  const shared = deltaSeconds(directives, 's-maxage')
  if (shared !== undefined) return seconds(shared)
  const maxAge = deltaSeconds(directives, 'max-age')
  if (maxAge !== undefined) return seconds(maxAge)
  if (headers.expires !== undefined) {
    const expires = httpDate(headers.expires)
    return expires === undefined ? 0 : Math.max(0, expires - date)
  }
  return 0
}

function seconds(value: number): number {
  return Number.isNaN(value) ? 0 : value * 1000
}

/** An answer's current age (§4.2.3): its age when it arrived, plus the time it has been kept. */
export function currentAge(fresh: Freshness, now: number): number {
  return fresh.initialAge + Math.max(0, now - fresh.responseTime)
}

/** Statuses whose meaning the cache knows (RFC 9110's heuristically cacheable ones), for `must-understand`. */
const UNDERSTOOD = new Set([200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501])

/**
 * Whether a shared cache may store an answer (RFC 9111 §3, §3.5): a GET or HEAD; no `no-store`
 * in the request or the answer (unless the answer says `must-understand` and its status is one the
 * cache knows); no `private`; not for a request with `Authorization` unless the answer says
 * `public`, `must-revalidate` or `s-maxage`; a `Vary` other than `*`; not a partial answer (206);
 * and something that makes it usable again: an explicit freshness lifetime, or a validator
 * (`ETag`, `Last-Modified`) to validate it with.
 *
 * @example
 * storable('GET', {}, answerHead(200, { 'cache-control': 'private, max-age=60' }, t, t))   // false
 */
export function storable(method: string, requestHeaders: Readonly<Record<string, string | undefined>>, head: AnswerHead): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false
  if (head.status === 206) return false
  const request = cacheControl(requestHeaders['cache-control'])
  if (request.has('no-store')) return false
  const directives = cacheControl(head.headers['cache-control'])
  if (directives.has('must-understand')) {
    if (!UNDERSTOOD.has(head.status)) return false
  } else if (directives.has('no-store')) return false
  if (directives.has('private')) return false
  if (requestHeaders.authorization !== undefined && !['public', 'must-revalidate', 's-maxage'].some((name) => directives.has(name))) return false
  if (varyNames(head) === '*') return false
  const fresh = freshness(head)
  return fresh.lifetime > 0 || fresh.etag !== undefined || fresh.lastModified !== undefined
}

/**
 * The request headers an answer varies on (§4.1), lower-case, in order, each once; `'*'` for
 * `Vary: *`, which no request matches.
 */
export function varyNames(head: AnswerHead): readonly string[] | '*' {
  const vary = head.headers.vary
  if (vary === undefined) return NO_NAMES
  const names: string[] = []
  for (const part of vary.split(',')) {
    const name = part.trim().toLowerCase()
    if (name === '*') return '*'
    if (name !== '' && !names.includes(name)) names.push(name)
  }
  return names
}

const NO_NAMES: readonly string[] = []

/** What a stored answer may do for a request, now (§4, §4.2.4). */
export type Reuse =
  /** Answer with it: fresh, or stale as the request allows (`max-stale`). */
  | 'use'
  /** Validate it first (a conditional request): stale, `no-cache`, or too old for the request. */
  | 'validate'

/**
 * Whether a stored answer may answer a request as it is (§4.2, §5.2.1): fresh for the request's
 * `max-age` and `min-fresh`, or stale within its `max-stale` unless the answer forbids serving
 * it stale; never with `no-cache` on either side.
 *
 * @example
 * reuse(freshness(head), cacheControl('max-stale=30'), Date.now())
 */
export function reuse(fresh: Freshness, request: CacheDirectives, now: number): Reuse {
  if (fresh.noCache || request.has('no-cache')) return 'validate'
  const age = currentAge(fresh, now)
  const maxAge = deltaSeconds(request, 'max-age')
  if (maxAge !== undefined && !(age <= seconds(maxAge))) return 'validate'
  const minFresh = deltaSeconds(request, 'min-fresh')
  if (minFresh !== undefined && !Number.isNaN(minFresh) && fresh.lifetime - age < minFresh * 1000) return 'validate'
  if (fresh.lifetime > age) return 'use'
  if (fresh.mustRevalidate || !request.has('max-stale')) return 'validate'
  // `max-stale` without a value: stale of any age
  if (request.get('max-stale') === true) return 'use'
  const maxStale = deltaSeconds(request, 'max-stale')
  return maxStale !== undefined && !Number.isNaN(maxStale) && age - fresh.lifetime <= maxStale * 1000 ? 'use' : 'validate'
}

/**
 * Whether a stored answer may stand in for a backend that failed (RFC 5861's `stale-if-error`, in
 * the answer or the request): stale by no more than it allows, and nothing that forbids serving it
 * stale (`no-cache`, `must-revalidate`, `proxy-revalidate`, `s-maxage`: RFC 9111 §4.2.4).
 */
export function usableOnError(fresh: Freshness, request: CacheDirectives, now: number): boolean {
  if (fresh.noCache || fresh.mustRevalidate) return false
  const requested = deltaSeconds(request, 'stale-if-error')
  const allowed = requested !== undefined && !Number.isNaN(requested) ? requested * 1000 : fresh.staleIfError
  if (allowed === undefined) return false
  return currentAge(fresh, now) - fresh.lifetime <= allowed
}

/** The least an answer kept only to be validated is kept (it is validated, and kept again, each time it is used). */
const MIN_KEPT_FOR_VALIDATION = 60_000

/**
 * How long to keep an answer from `now` (0: not at all): while it is fresh, then while it may
 * stand in for a failing backend (`stale-if-error`) or, with a validator, as long again as it
 * was fresh (a minute at least), for conditional requests that spare the body.
 */
export function keepFor(fresh: Freshness, now: number): number {
  const remaining = Math.max(0, fresh.lifetime - currentAge(fresh, now))
  const validator = fresh.etag !== undefined || fresh.lastModified !== undefined
  const stale = Math.max(fresh.staleIfError ?? 0, validator ? Math.max(fresh.lifetime, MIN_KEPT_FOR_VALIDATION) : 0)
  return Math.ceil(remaining + stale)
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']
const IMF_FIXDATE = /^[a-z]{3}, (\d{2}) ([a-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) gmt$/
const RFC_850 = /^[a-z]+, (\d{2})-([a-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) gmt$/
const ASCTIME = /^[a-z]{3} ([a-z]{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/

/**
 * An HTTP date (RFC 9110 §5.6.7: IMF-fixdate, or the obsolete RFC 850 and asctime forms) in ms;
 * `undefined` for anything else, such as `Expires: 0`, which then means "already expired"
 * (`Date.parse` would read `0` as the year 2000).
 *
 * @example
 * httpDate('Sun, 06 Nov 1994 08:49:37 GMT')   // 784111777000
 */
export function httpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const text = value.trim().toLowerCase()
  let match = IMF_FIXDATE.exec(text)
  if (match) return utc(Number(match[3]), match[2]!, match[1]!, match[4]!, match[5]!, match[6]!)
  match = RFC_850.exec(text)
  if (match) {
    // a two-digit year more than 50 years ahead is the latest past year that ends with those digits
    const now = new Date().getUTCFullYear()
    let year = Math.floor(now / 100) * 100 + Number(match[3])
    if (year > now + 50) year -= 100
    return utc(year, match[2]!, match[1]!, match[4]!, match[5]!, match[6]!)
  }
  match = ASCTIME.exec(text)
  if (match) return utc(Number(match[6]), match[1]!, match[2]!.trim(), match[3]!, match[4]!, match[5]!)
  return undefined
}

function utc(year: number, month: string, day: string, hours: string, minutes: string, seconds: string): number | undefined {
  const index = MONTHS.indexOf(month)
  if (index === -1) return undefined
  const time = Date.UTC(year, index, Number(day), Number(hours), Number(minutes), Number(seconds))
  // Date.UTC rolls 31 Feb over into March: such a date is not one
  return new Date(time).getUTCDate() === Number(day) ? time : undefined
}
