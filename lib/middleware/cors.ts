import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import type { Logger } from '../logger.js'
import { compileCorsPolicy, type CorsOptions, type CorsPolicy } from './cors-policy.js'
import { keepVary } from './keep-vary.js'
import type { MiddlewareDefinition, ServerMiddleware } from './types.js'

export type { CorsOptions } from './cors-policy.js'

type Trace = (message: string, facts?: Record<string, unknown>) => void

/**
 * Cross-Origin Resource Sharing around every request, before routing, as KrakenD's `security/cors`
 * (`krakend-cors`, which runs rs/cors around the whole server):
 *
 * - A preflight (`OPTIONS` with `Access-Control-Request-Method`) is answered here, with
 *   `options_success_status` (204 by default), whether or not a route takes OPTIONS on its path;
 *   with `options_passthrough` it goes on to routing instead, carrying its CORS headers. An allowed
 *   origin, method and headers get `Access-Control-Allow-Origin` (`*` when any origin is allowed,
 *   else the origin), `-Allow-Methods` and `-Allow-Headers` (what was asked), `-Allow-Credentials`,
 *   `-Max-Age`, `-Allow-Private-Network`; anything refused gets none of them, which the browser
 *   reads as a refusal.
 * - Any other request from an allowed origin, with an allowed method, gets `-Allow-Origin`,
 *   `-Expose-Headers` and `-Allow-Credentials` on whatever answer it gets: a success, a failure, a
 *   404, another middleware's refusal.
 * - Every answer says `Vary: Origin` (a preflight's, the headers it depends on too), kept beside
 *   an answer's own `Vary`.
 *
 * @example
 * gw.use(cors({ allow_origins: ['https://*.example.com'], allow_methods: ['GET', 'POST'], max_age: '12h' }))
 */
export function cors(options: CorsOptions = {}, logger?: Logger): ServerMiddleware {
  const policy = compileCorsPolicy(options)
  const trace: Trace | undefined = options.debug && logger ? (message, facts = {}) => logger.debug(facts, `cors: ${message}`) : undefined
  return (next) => (req, res) => {
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      const headers = preflightHeaders(policy, req, trace)
      if (!policy.passthrough) {
        res.writeHead(policy.successStatus, headers).end()
        return
      }
      for (const name in headers) res.setHeader(name, headers[name]!)
    } else {
      actualRequestHeaders(policy, req, res, trace)
    }
    keepVary(res)
    next(req, res)
  }
}

/** rs/cors's `handlePreflight`: the headers of a preflight's answer, or only its `Vary` when anything is refused. */
function preflightHeaders(policy: CorsPolicy, req: IncomingMessage, trace: Trace | undefined): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = { Vary: policy.preflightVary }
  const { origin } = req.headers
  const method = req.headers['access-control-request-method']!
  const requested = req.headers['access-control-request-headers']
  if (!origin) {
    trace?.('preflight aborted: no Origin')
    return headers
  }
  if (!policy.allowsOrigin(origin)) {
    trace?.('preflight aborted: origin not allowed', { origin })
    return headers
  }
  if (!policy.allowsMethod(method)) {
    trace?.('preflight aborted: method not allowed', { origin, method })
    return headers
  }
  if (requested !== undefined && !policy.allowsHeaders(requested)) {
    trace?.('preflight aborted: headers not allowed', { origin, headers: requested })
    return headers
  }
  headers['Access-Control-Allow-Origin'] = policy.anyOrigin ? '*' : origin
  headers['Access-Control-Allow-Methods'] = method
  if (requested) headers['Access-Control-Allow-Headers'] = requested
  if (policy.credentials) headers['Access-Control-Allow-Credentials'] = 'true'
  if (policy.privateNetwork && req.headers['access-control-request-private-network'] === 'true') {
    headers['Access-Control-Allow-Private-Network'] = 'true'
  }
  if (policy.maxAge !== undefined) headers['Access-Control-Max-Age'] = policy.maxAge
  trace?.('preflight allowed', { origin, method, headers: requested })
  return headers
}

/** rs/cors's `handleActualRequest`: the headers every answer to the request carries. */
function actualRequestHeaders(policy: CorsPolicy, req: IncomingMessage, res: ServerResponse, trace: Trace | undefined): void {
  res.setHeader('Vary', 'Origin')
  const { origin } = req.headers
  if (!origin) return
  if (!policy.allowsOrigin(origin)) {
    trace?.('no CORS headers: origin not allowed', { origin })
    return
  }
  const method = req.method ?? 'GET'
  if (!policy.allowsMethod(method)) {
    trace?.('no CORS headers: method not allowed', { origin, method })
    return
  }
  res.setHeader('Access-Control-Allow-Origin', policy.anyOrigin ? '*' : origin)
  if (policy.exposeHeaders !== undefined) res.setHeader('Access-Control-Expose-Headers', policy.exposeHeaders)
  if (policy.credentials) res.setHeader('Access-Control-Allow-Credentials', 'true')
  trace?.('CORS headers added', { origin, method })
}

/** `security/cors`, at the service: around every request. */
export const corsDefinition: MiddlewareDefinition = {
  namespace: 'security/cors',
  server: (options: CorsOptions, { logger }) => cors(options, logger),
}
