import { toMilliseconds, type Duration } from '../../operators/duration.js'
import { ErrorCodes, RxgateError } from '../errors.js'

/** KrakenD's `security/cors` block, as the file writes it. */
export interface CorsOptions {
  /** Origins allowed (`https://example.com`, `https://*.example.com`, `*`); empty or absent: any. Letter case is ignored. */
  readonly allow_origins?: readonly string[]
  /** Methods allowed, exactly as browsers send them. Default GET, POST, HEAD. */
  readonly allow_methods?: readonly string[]
  /** Request headers allowed (`*`: any); empty or absent: any. `Origin` is always allowed. */
  readonly allow_headers?: readonly string[]
  /** Response headers a browser lets scripts read. Default none. */
  readonly expose_headers?: readonly string[]
  /** How long a browser may keep a preflight's answer (`"12h"`); sent in whole seconds, not at all under one. */
  readonly max_age?: Duration
  /** Tells browsers they may send cookies and credentials: `Access-Control-Allow-Credentials: true`. */
  readonly allow_credentials?: boolean
  /** Preflights go on to routing (and the endpoints) instead of being answered here. */
  readonly options_passthrough?: boolean
  /** The status of a preflight's answer. Default 204. */
  readonly options_success_status?: number
  /** Answers a Private Network Access preflight (`Access-Control-Request-Private-Network: true`). */
  readonly allow_private_network?: boolean
  /** Logs each CORS decision, at debug level. */
  readonly debug?: boolean
}

/** Everything a request's CORS headers are made of, compiled once from the options. */
export interface CorsPolicy {
  /** Any origin: answered with `*`, never with the origin itself (as rs/cors, even with credentials). */
  readonly anyOrigin: boolean
  allowsOrigin(origin: string): boolean
  allowsMethod(method: string): boolean
  /** Whether every name of an `Access-Control-Request-Headers` value is allowed. */
  allowsHeaders(requested: string): boolean
  readonly credentials: boolean
  /** `Access-Control-Expose-Headers`, names canonical (`Content-Length`), or undefined for none. */
  readonly exposeHeaders: string | undefined
  /** `Access-Control-Max-Age` in seconds, or undefined for none. */
  readonly maxAge: string | undefined
  readonly privateNetwork: boolean
  /** The `Vary` of a preflight's answer: it depends on these request headers. */
  readonly preflightVary: string
  readonly successStatus: number
  readonly passthrough: boolean
}

/** rs/cors's defaults, which KrakenD keeps, but for headers (KrakenD allows any when none are listed). */
const DEFAULT_METHODS = ['GET', 'POST', 'HEAD']
const DEFAULT_SUCCESS_STATUS = 204

/**
 * Compiles the options into a policy, once, as KrakenD's `krakend-cors` sets up rs/cors: the exact
 * origins in a set, the wildcard ones (`https://*.example.com`: one `*`, standing for any
 * characters) as a prefix and a suffix, the header names in a set, every header value written.
 *
 * @example
 * const policy = compileCorsPolicy({ allow_origins: ['https://*.example.com'], allow_credentials: true })
 * policy.allowsOrigin('https://app.example.com') // true
 * policy.allowsOrigin('https://example.org')     // false
 */
export function compileCorsPolicy(options: CorsOptions = {}): CorsPolicy {
  const origins = (options.allow_origins ?? []).map((origin) => origin.toLowerCase())
  const anyOrigin = origins.length === 0 || origins.includes('*')
  const exact = new Set(origins.filter((origin) => !origin.includes('*')))
  const wildcards = origins.filter((origin) => origin.includes('*')).map(wildcard)
  const methods = new Set(options.allow_methods?.length ? options.allow_methods : DEFAULT_METHODS)
  const headers = options.allow_headers ?? []
  const anyHeader = headers.length === 0 || headers.includes('*')
  const allowedHeaders = new Set([...headers.map((name) => name.toLowerCase()), 'origin'])
  const maxAge = Math.trunc(toMilliseconds(options.max_age ?? 0) / 1000)
  const successStatus = options.options_success_status ?? DEFAULT_SUCCESS_STATUS
  if (!Number.isInteger(successStatus) || successStatus < 100 || successStatus > 599) {
    throw new RxgateError(ErrorCodes.BAD_ARGUMENT, `security/cors: options_success_status must be an HTTP status (got ${String(successStatus)})`)
  }
  const privateNetwork = options.allow_private_network === true
  return {
    anyOrigin,
    allowsOrigin: anyOrigin
      ? () => true
      : (origin) => {
          const lower = origin.toLowerCase()
          return exact.has(lower) || wildcards.some((matches) => matches(lower))
        },
    // OPTIONS is always allowed: a preflight's own method
    allowsMethod: (method) => method === 'OPTIONS' || methods.has(method),
    allowsHeaders: anyHeader ? () => true : (requested) => requestedHeaderNames(requested).every((name) => allowedHeaders.has(name)),
    credentials: options.allow_credentials === true,
    exposeHeaders: options.expose_headers?.length ? options.expose_headers.map(canonicalHeaderName).join(', ') : undefined,
    maxAge: maxAge > 0 ? String(maxAge) : undefined,
    privateNetwork,
    preflightVary: `Origin, Access-Control-Request-Method, Access-Control-Request-Headers${privateNetwork ? ', Access-Control-Request-Private-Network' : ''}`,
    successStatus,
    passthrough: options.options_passthrough === true,
  }
}

/** `https://*.example.com`: the part before the first `*` and the part after it, with anything (or nothing) between. */
function wildcard(origin: string): (candidate: string) => boolean {
  const star = origin.indexOf('*')
  const prefix = origin.slice(0, star)
  const suffix = origin.slice(star + 1)
  return (candidate) => candidate.length >= prefix.length + suffix.length && candidate.startsWith(prefix) && candidate.endsWith(suffix)
}

/** The names of an `Access-Control-Request-Headers` value, lower case, empty elements skipped. */
function requestedHeaderNames(value: string): string[] {
  const names: string[] = []
  for (const name of value.split(',')) {
    const trimmed = name.trim()
    if (trimmed !== '') names.push(trimmed.toLowerCase())
  }
  return names
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/** Go's `http.CanonicalHeaderKey`: `content-length` → `Content-Length`; a name that is not a token stays as it is. */
export function canonicalHeaderName(name: string): string {
  if (!TOKEN.test(name)) return name
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase())
}

/** What is wrong, or likely wrong, with a CORS block that a JSON Schema cannot say, each with its path. */
export function corsProblems(options: CorsOptions): { path: string; message: string; warning: boolean }[] {
  const findings: { path: string; message: string; warning: boolean }[] = []
  const origins = Array.isArray(options.allow_origins) ? options.allow_origins : []
  origins.forEach((origin, index) => {
    if (typeof origin !== 'string' || origin === '*') return
    const path = `/allow_origins/${index}`
    if (/^[a-z][a-z0-9+.-]*:\/\/[^/]*\/./i.test(origin) || origin.endsWith('/')) {
      findings.push({ path, message: `never matches: a browser's Origin is scheme://host[:port], with no path (got ${JSON.stringify(origin)})`, warning: true })
    }
    if (origin.indexOf('*') !== origin.lastIndexOf('*')) {
      findings.push({ path, message: `only its first "*" is a wildcard; the others must appear as they are (got ${JSON.stringify(origin)})`, warning: true })
    }
  })
  if (options.allow_credentials === true && (origins.length === 0 || origins.includes('*'))) {
    const message = 'browsers refuse credentialed requests answered "Access-Control-Allow-Origin: *", which any origin gets (as in KrakenD): list the origins instead'
    findings.push({ path: '/allow_credentials', message, warning: true })
  }
  return findings
}
