import { botDetectorProblems, type BotDetectorOptions } from '../middleware/bot-detector.js'
import { circuitBreakerWarnings, type CircuitBreakerOptions } from '../middleware/circuit-breaker.js'
import { corsProblems, type CorsOptions } from '../middleware/cors-policy.js'
import { httpCacheProblems, type HttpCacheOptions } from '../middleware/http-cache.js'
import { httpSecurityProblems, type HttpSecurityOptions } from '../middleware/http-security.js'
import { loggingProblems, type RawLoggingSettings } from '../logging/settings.js'
import { rateLimitProblems, type BackendRateLimitOptions, type RateLimitOptions } from '../middleware/rate-limit-options.js'
import { redisRateLimitProblems, type RedisRateLimitOptions } from '../middleware/redis-rate-limit.js'

/** Something a middleware's block says that its JSON Schema cannot judge: where in the block, what, and whether it stops the file. */
export interface OptionFinding {
  /** A JSON pointer inside the namespace's block: `/patterns/3`. */
  readonly path: string
  readonly message: string
  /** A likely mistake that still serves (a warning), rather than a problem. */
  readonly warning?: boolean
}

/**
 * The checks of middleware blocks that a JSON Schema cannot express (a regular expression in Go's
 * syntax, a setting that cannot work with another), by short namespace. Each middleware writes
 * its own check beside its code; `validateConfig` runs them on every block of those namespaces.
 */
const CHECKS: Readonly<Record<string, (block: never) => readonly OptionFinding[]>> = {
  'security/bot-detector': (block: BotDetectorOptions) => botDetectorProblems(block),
  'security/cors': (block: CorsOptions) => corsProblems(block),
  'security/http': (block: HttpSecurityOptions) => httpSecurityProblems(block),
  'qos/ratelimit/router': (block: RateLimitOptions) => rateLimitProblems(block, 'endpoint'),
  'qos/ratelimit/service': (block: RateLimitOptions) => rateLimitProblems(block, 'service'),
  'qos/ratelimit/proxy': (block: BackendRateLimitOptions) => rateLimitProblems(block, 'backend'),
  'qos/ratelimit/router/redis': (block: RedisRateLimitOptions) => redisRateLimitProblems(block, 'endpoint'),
  'qos/ratelimit/service/redis': (block: RedisRateLimitOptions) => redisRateLimitProblems(block, 'service'),
  'qos/http-cache': (block: HttpCacheOptions) => httpCacheProblems(block),
  'qos/circuit-breaker': (block: CircuitBreakerOptions) => circuitBreakerWarnings(block),
  'telemetry/logging': (block: RawLoggingSettings) => loggingProblems(block),
}

/**
 * What a namespace's check finds in its block; nothing for a namespace without one, or for a
 * block that is not an object (the JSON Schema reports that).
 *
 * @example
 * checkMiddlewareOptions('security/bot-detector', { patterns: ['(a'] })
 * // [{ path: '/patterns/0', message: "is not a valid regular expression (Go's RE2 syntax): missing ): (a" }]
 */
export function checkMiddlewareOptions(namespace: string, block: unknown): readonly OptionFinding[] {
  const check = CHECKS[namespace]
  if (check === undefined || typeof block !== 'object' || block === null || Array.isArray(block)) return []
  return check(block as never)
}
