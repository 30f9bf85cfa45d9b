import { mergeMap, of, throwError } from 'rxjs'
import { clientKeyName, endpointClientKey } from './client-key.js'
import { LocalLimits } from './local-limits.js'
import { readLimits, type RateLimitOptions } from './rate-limit-options.js'
import type { EndpointMiddleware, MiddlewareContext, MiddlewareDefinition } from './types.js'

const NAMESPACE = 'qos/ratelimit/router'

/**
 * KrakenD's endpoint rate limit (`qos/ratelimit/router`), counted in this process's memory: past
 * `max_rate` requests per `every` from all clients together, 503 (`RXGATE_ERR_RATE_LIMITED`);
 * past `client_max_rate` from one client, told by `strategy` (`ip`, `header` or `param` with
 * `key`), 429 (`RXGATE_ERR_TOO_MANY_REQUESTS`); both with `Retry-After`, and before any backend
 * is called. Each is a token bucket (`TokenBucket`) of `capacity` / `client_capacity` tokens, full
 * at start. Each instance of the gateway counts its own traffic; `redisRateLimit` counts them together.
 *
 * @example
 * const limited = rateLimit({ max_rate: 100, client_max_rate: 5, strategy: 'ip' })
 * gw.get('/checkout', limited(pipe(fanOut({ payment }), merge())))
 */
export function rateLimit(options: RateLimitOptions, context: Partial<MiddlewareContext> = {}): EndpointMiddleware {
  const limits = readLimits(options, 'endpoint', NAMESPACE)
  const client = limits.client
  const buckets = () => new LocalLimits(limits, 'endpoint', client ? clientKeyName(client.strategy, client.key) : undefined)
  // a reloaded file keeps the buckets of a block it did not change
  const local = context.keep ? context.keep(buckets) : buckets()
  const clientOf = client ? endpointClientKey(client.strategy, client.key) : () => ''
  return (pipeline) => (request$) =>
    request$.pipe(
      mergeMap((request) => {
        const refusal = local.admit(clientOf(request))
        return refusal === undefined ? pipeline(of(request)) : throwError(() => refusal)
      }),
    )
}

/** `qos/ratelimit/router`, on endpoints. */
export const rateLimitDefinition: MiddlewareDefinition = {
  namespace: NAMESPACE,
  endpoint: (options: RateLimitOptions, context: MiddlewareContext) => rateLimit(options, context),
}
