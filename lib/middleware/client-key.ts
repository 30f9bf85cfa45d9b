import type { IncomingMessage } from 'node:http'
import type { Headers } from '../request.js'
import type { GatewayRequest } from '../request.js'
import { clientIpOf } from '../router/client-ip-of.js'
import type { ClientStrategy } from './rate-limit-options.js'

/** The client a request comes from, as a rate limit tells clients apart; `''` when the request carries nothing to tell it by. */
export type ClientKey<R> = (request: R) => string

/**
 * How an endpoint's limit tells clients apart, as KrakenD's `krakend-ratelimit` does: `ip`, the
 * client's IP as the router resolved it (`request.clientIp`: the connection's peer, or with
 * `forwarded_by_client_ip` what the trusted proxies report); `header`, the value of the header
 * `key` (its first, as Go's `Header.Get`); `param`, the route parameter `key` (`{customer_id}`).
 *
 * @example
 * const tenant = endpointClientKey('header', 'X-Tenant')
 * tenant(request)   // 'acme', or '' without the header
 */
export function endpointClientKey(strategy: ClientStrategy, key: string): ClientKey<GatewayRequest> {
  switch (strategy) {
    case 'ip':
      return (request) => request.clientIp
    case 'header': {
      const name = key.toLowerCase()
      return (request) => headerValue(request.headers, name)
    }
    case 'param':
      return (request) => request.params[key] ?? ''
  }
}

/**
 * How the gateway's own limit tells clients apart, before routing: `ip` or `header`, as
 * {@link endpointClientKey}; no route parameter is known yet.
 */
export function serverClientKey(strategy: Exclude<ClientStrategy, 'param'>, key: string): ClientKey<IncomingMessage> {
  if (strategy === 'ip') return clientIpOf
  const name = key.toLowerCase()
  return (req) => headerValue(req.headers, name)
}

/** What a strategy reads, for the message of a request without it. */
export function clientKeyName(strategy: ClientStrategy, key: string): string {
  return strategy === 'ip' ? 'client IP' : strategy === 'header' ? `${key} header` : `${key} parameter`
}

function headerValue(headers: Headers | IncomingMessage['headers'], name: string): string {
  const value = headers[name]
  return value === undefined ? '' : typeof value === 'string' ? value : (value[0] ?? '')
}
