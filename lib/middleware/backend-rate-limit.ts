import { throwError } from 'rxjs'
import { callSource, perRequest } from '../../operators/per-request.js'
import { ErrorCodes, RxgateError } from '../errors.js'
import { readLimits, type BackendRateLimitOptions } from './rate-limit-options.js'
import { TokenBucket } from './token-bucket.js'
import type { BackendMiddleware, BackendSource, MiddlewareContext, MiddlewareDefinition } from './types.js'

const NAMESPACE = 'qos/ratelimit/proxy'

/**
 * KrakenD's backend rate limit (`qos/ratelimit/proxy`): at most `max_rate` calls per `every` to
 * this backend, `capacity` at once, whatever the clients send. A call past the limit is not
 * made: it fails at once with `RXGATE_ERR_BACKEND_RATE_LIMITED`, a failed part like a backend
 * that failed (the other backends still answer, and `X-Rxgate-Completed: false` says the answer
 * is partial; a 500 when it is the endpoint's only backend, as KrakenD answers it).
 *
 * @example
 * const catalog = backendRateLimit({ max_rate: 0.5, every: '1s', capacity: 1 })(backend('http://catalog/items'))
 */
export function backendRateLimit(options: BackendRateLimitOptions, context: Partial<MiddlewareContext> = {}): BackendMiddleware {
  const limits = readLimits(options, 'backend', NAMESPACE)
  // a reloaded file keeps the bucket of a block it did not change
  const bucket = context.keep ? context.keep(() => new TokenBucket(limits.total!)) : new TokenBucket(limits.total!)
  const at = context.at ?? 'backend'
  return (source: BackendSource) =>
    perRequest((request) => {
      if (bucket.take()) return callSource(source, request)
      const wait = Math.ceil(bucket.wait())
      return throwError(() => new RxgateError(ErrorCodes.BACKEND_RATE_LIMITED, `${at} is over its rate limit: not called (a token in ${wait} ms)`, { waitMs: wait }))
    })
}

/** `qos/ratelimit/proxy`, on backends. */
export const backendRateLimitDefinition: MiddlewareDefinition = {
  namespace: NAMESPACE,
  backend: backendRateLimit,
}
