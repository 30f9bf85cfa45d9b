import type { GatewayRequest } from '../request.js'

/**
 * A copy of a request whose backend call carries `headers` (lower-case names) over everything
 * else: for one backend only, where the request's context (`addBackendHeader`) would add them to
 * every backend of the endpoint. The copy's context is the request's own in all else: what a
 * stage writes to it (claims, response headers) goes to the request's context, and headers the
 * context holds go along, under these.
 *
 * @example
 * callSource(source, withBackendHeaders(request, { authorization: 'Bearer 2YotnFZFEjr1zCsicMWpAA' }))
 */
export function withBackendHeaders(request: GatewayRequest, headers: Readonly<Record<string, string>>): GatewayRequest {
  const context = new Proxy(request.context, {
    get(target, property) {
      if (property === 'backendHeaders') return { ...target.backendHeaders, ...headers }
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
  return { ...request, context }
}
