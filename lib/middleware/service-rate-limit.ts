import { errorReply, writeReply } from '../router/reply.js'
import { clientKeyName, serverClientKey } from './client-key.js'
import { LocalLimits } from './local-limits.js'
import { readLimits, type RateLimitOptions } from './rate-limit-options.js'
import type { MiddlewareContext, MiddlewareDefinition, ServerMiddleware } from './types.js'

const NAMESPACE = 'qos/ratelimit/service'

/**
 * KrakenD Enterprise's service rate limit (`qos/ratelimit/service`): the endpoint rate limit's
 * keys, applied to every request the gateway gets, whatever its endpoint, before routing (an
 * unknown path and the health check count too). Past `max_rate` from all clients together, 503;
 * past `client_max_rate` from one client (`strategy` `ip` or `header`), 429; both with
 * `Retry-After`. Counted in this process's memory: `serviceRedisRateLimit` counts every instance together.
 *
 * @example
 * gateway().use(serviceRateLimit({ max_rate: 10000, client_max_rate: 100, strategy: 'header', key: 'X-Api-Key' }))
 */
export function serviceRateLimit(options: RateLimitOptions, context: Partial<MiddlewareContext> = {}): ServerMiddleware {
  const limits = readLimits(options, 'service', NAMESPACE)
  const client = limits.client
  const buckets = () => new LocalLimits(limits, 'service', client ? clientKeyName(client.strategy, client.key) : undefined)
  // a reloaded file keeps the buckets of a block it did not change
  const local = context.keep ? context.keep(buckets) : buckets()
  const clientOf = client ? serverClientKey(client.strategy as 'ip' | 'header', client.key) : () => ''
  return (next) => (req, res) => {
    const refusal = local.admit(clientOf(req))
    if (refusal === undefined) next(req, res)
    else writeReply(res, errorReply(refusal))
  }
}

/** `qos/ratelimit/service`, at the service. */
export const serviceRateLimitDefinition: MiddlewareDefinition = {
  namespace: NAMESPACE,
  server: (options: RateLimitOptions, context: MiddlewareContext) => serviceRateLimit(options, context),
}
