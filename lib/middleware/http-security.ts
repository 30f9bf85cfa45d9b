import { randomBytes } from 'node:crypto'
import { validateHeaderValue, type IncomingMessage } from 'node:http'
import { ErrorCodes, RxgateError } from '../errors.js'
import { errorReply, writeReply } from '../router/reply.js'
import { compileAnyOf, goRegexpError } from './go-regexp.js'
import type { MiddlewareDefinition, ServerMiddleware } from './types.js'

/** KrakenD's `security/http` block, as the file writes it (`krakend-httpsecure`, unrolled/secure's options). */
export interface HttpSecurityOptions {
  /** The only `Host` values served (with their port, letter case ignored); empty or absent: any. */
  readonly allowed_hosts?: readonly string[]
  /** `allowed_hosts` are regular expressions (Go's syntax), each matching the whole host. */
  readonly allowed_hosts_are_regex?: boolean
  /** Headers that carry the host a proxy received (`X-Forwarded-Host`), read before `Host`: the first one set wins. */
  readonly host_proxy_headers?: readonly string[]
  /** Headers and values that say the client's connection was HTTPS (`{"X-Forwarded-Proto": "https"}`). */
  readonly ssl_proxy_headers?: Readonly<Record<string, string>>
  /** Redirects (301) a request that did not come over HTTPS to the same URL on `https://`. */
  readonly ssl_redirect?: boolean
  /** The host of that redirect (default: the request's). */
  readonly ssl_host?: string
  /** `Strict-Transport-Security: max-age=<this>` on HTTPS answers; 0 or absent, none. */
  readonly sts_seconds?: number
  /** Adds `; includeSubDomains` to it. */
  readonly sts_include_subdomains?: boolean
  /** Sends it on plain HTTP answers too. */
  readonly force_sts_header?: boolean
  /** `X-Frame-Options: DENY`. */
  readonly frame_deny?: boolean
  /** `X-Frame-Options` with this value instead (`SAMEORIGIN`). */
  readonly custom_frame_options_value?: string
  /** `X-Content-Type-Options: nosniff`. */
  readonly content_type_nosniff?: boolean
  /** `X-XSS-Protection: 1; mode=block`. */
  readonly browser_xss_filter?: boolean
  /** `Content-Security-Policy`; `$NONCE` in it becomes a new `'nonce-...'` for each answer. */
  readonly content_security_policy?: string
  /** `Referrer-Policy`. */
  readonly referrer_policy?: string
  /** Turns off `allowed_hosts`, `ssl_redirect` and `Strict-Transport-Security`, for a developer's machine. */
  readonly is_development?: boolean
  /** HTTP Public Key Pinning: read and ignored, as KrakenD ignores it (browsers dropped HPKP). */
  readonly hpkp_public_key?: string
}

type Header = readonly [name: string, value: string]

const NONCE = '$NONCE'

/**
 * The security headers and host rules of KrakenD's `security/http` around every request, before
 * routing, as `krakend-httpsecure` runs unrolled/secure:
 *
 * 1. the host (the first of `host_proxy_headers` a request has, else `Host`) must be one of
 *    `allowed_hosts`, or the request is refused: a 500, `RXGATE_ERR_BAD_HOST`, as KrakenD answers;
 * 2. with `ssl_redirect`, a request that did not come over HTTPS (as `ssl_proxy_headers` tell:
 *    rxgate itself serves plain HTTP) is redirected, 301, to `https://` on `ssl_host` or its host;
 * 3. every other answer carries the headers asked for: `Strict-Transport-Security` (on HTTPS, or
 *    always with `force_sts_header`), `X-Frame-Options`, `X-Content-Type-Options`,
 *    `X-XSS-Protection`, `Content-Security-Policy`, `Referrer-Policy`, whatever the answer is.
 *
 * @example
 * gw.use(httpSecurity({ allowed_hosts: ['api.example.com'], frame_deny: true, content_type_nosniff: true }))
 */
export function httpSecurity(options: HttpSecurityOptions = {}): ServerMiddleware {
  const problem = httpSecurityProblems(options)[0]
  if (problem) throw new RxgateError(ErrorCodes.BAD_ARGUMENT, `security/http: ${problem.path.slice(1).replace(/\/(\d+)/g, '[$1]')} ${problem.message}`)
  const development = options.is_development === true
  const hostOf = compileHost(options.host_proxy_headers ?? [])
  const allowsHost = development ? undefined : compileAllowedHosts(options)
  const isHttps = compileIsHttps(options.ssl_proxy_headers ?? {})
  const redirect = options.ssl_redirect === true && !development
  const sslHost = options.ssl_host || undefined
  const { always, https } = compileHeaders(options)
  for (const [name, value] of [...https, ['Location', `https://${sslHost ?? 'host'}/`] as const]) {
    try {
      validateHeaderValue(name, value)
    } catch {
      throw new RxgateError(ErrorCodes.BAD_ARGUMENT, `security/http: ${JSON.stringify(value)} cannot be sent as ${name}: it holds characters a header value may not`)
    }
  }
  const policy = options.content_security_policy ?? ''
  const nonced = policy.includes(NONCE)
  return (next) => (req, res) => {
    const host = hostOf(req)
    if (allowsHost && !allowsHost(host)) {
      const shown = host.length > 200 ? `${host.slice(0, 200)}...` : host
      writeReply(res, errorReply(new RxgateError(ErrorCodes.BAD_HOST, `the host ${JSON.stringify(shown)} is not served here`)))
      return
    }
    const secure = isHttps(req)
    if (redirect && !secure) {
      res.writeHead(301, { Location: `https://${sslHost ?? host}${pathAndQuery(req.url ?? '/')}` }).end()
      return
    }
    for (const [name, value] of secure ? https : always) res.setHeader(name, value)
    if (nonced) res.setHeader('Content-Security-Policy', policy.replaceAll(NONCE, `'nonce-${randomBytes(16).toString('base64')}'`))
    next(req, res)
  }
}

/** The host a request was sent to: the first proxy header that has one, else `Host`. */
function compileHost(proxyHeaders: readonly string[]): (req: IncomingMessage) => string {
  const names = proxyHeaders.map((name) => name.toLowerCase())
  if (names.length === 0) return (req) => req.headers.host ?? ''
  return (req) => {
    for (const name of names) {
      const value = first(req.headers[name])
      if (value) return value
    }
    return req.headers.host ?? ''
  }
}

/** `allowed_hosts`: exact names, letter case ignored, or whole-host regular expressions; undefined when any host goes. */
function compileAllowedHosts(options: HttpSecurityOptions): ((host: string) => boolean) | undefined {
  const hosts = options.allowed_hosts ?? []
  if (hosts.length === 0) return undefined
  if (options.allowed_hosts_are_regex) {
    // unrolled/secure anchors each as `^<host>$`
    const regexps = compileAnyOf(hosts.map((host) => `^${host}$`))
    return (host) => regexps.test(host)
  }
  const allowed = new Set(hosts.map((host) => host.toLowerCase()))
  return (host) => allowed.has(host.toLowerCase())
}

function compileIsHttps(proxyHeaders: Readonly<Record<string, string>>): (req: IncomingMessage) => boolean {
  const expected = Object.entries(proxyHeaders).map(([name, value]) => [name.toLowerCase(), value] as const)
  return (req) => (req.socket as { encrypted?: boolean }).encrypted === true || expected.some(([name, value]) => first(req.headers[name]) === value)
}

/** The headers of every answer, made once: those for plain HTTP, and those for HTTPS (with `Strict-Transport-Security`). */
function compileHeaders(options: HttpSecurityOptions): { always: readonly Header[]; https: readonly Header[] } {
  const headers: Header[] = []
  const frame = options.custom_frame_options_value || (options.frame_deny ? 'DENY' : '')
  if (frame) headers.push(['X-Frame-Options', frame])
  if (options.content_type_nosniff) headers.push(['X-Content-Type-Options', 'nosniff'])
  if (options.browser_xss_filter) headers.push(['X-XSS-Protection', '1; mode=block'])
  const policy = options.content_security_policy ?? ''
  if (policy && !policy.includes(NONCE)) headers.push(['Content-Security-Policy', policy])
  if (options.referrer_policy) headers.push(['Referrer-Policy', options.referrer_policy])
  const seconds = options.sts_seconds ?? 0
  if (seconds === 0 || options.is_development) return { always: headers, https: headers }
  const sts: Header = ['Strict-Transport-Security', `max-age=${seconds}${options.sts_include_subdomains ? '; includeSubDomains' : ''}`]
  return { always: options.force_sts_header ? [sts, ...headers] : headers, https: [sts, ...headers] }
}

/** The request target's path and query: as sent in origin form, and out of an absolute URL. */
function pathAndQuery(target: string): string {
  if (target.startsWith('/')) return target
  try {
    const url = new URL(target)
    return `${url.pathname}${url.search}`
  } catch {
    return '/'
  }
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

/** What is wrong with a `security/http` block that a JSON Schema cannot say: each allowed host RE2 refuses, with its path. */
export function httpSecurityProblems(options: HttpSecurityOptions): { path: string; message: string }[] {
  if (options.allowed_hosts_are_regex !== true || !Array.isArray(options.allowed_hosts)) return []
  const problems: { path: string; message: string }[] = []
  options.allowed_hosts.forEach((host, index) => {
    if (typeof host !== 'string') return
    const reason = goRegexpError(`^${host}$`)
    if (reason !== undefined) problems.push({ path: `/allowed_hosts/${index}`, message: `is not a valid regular expression (Go's RE2 syntax): ${reason}` })
  })
  return problems
}

/** `security/http`, at the service: around every request. */
export const httpSecurityDefinition: MiddlewareDefinition = {
  namespace: 'security/http',
  server: (options: HttpSecurityOptions) => httpSecurity(options),
}
