import type { IncomingMessage, ServerResponse } from 'node:http'
import { from, mergeMap, of, throwError } from 'rxjs'
import { ErrorCodes, RxgateError } from '../errors.js'
import type { Logger } from '../logger.js'
import type { RedisPools } from '../redis/pools.js'
import { errorReply, writeReply } from '../router/reply.js'
import { compactKey } from './client-buckets.js'
import { clientKeyName, endpointClientKey, serverClientKey } from './client-key.js'
import { RedisBuckets, type RedisVerdict } from './redis-buckets.js'
import { rateLimitProblems, readLimits, type LimitFinding, type Limits, type RateLimitOptions } from './rate-limit-options.js'
import { noClientKey, overRateLimit, tooManyRequests, type Refusal } from './rate-limit-refusals.js'
import { TokenBucket } from './token-bucket.js'
import type { EndpointMiddleware, MiddlewareContext, MiddlewareDefinition, ServerMiddleware } from './types.js'

/**
 * KrakenD Enterprise's Redis-backed rate limits, `qos/ratelimit/router/redis` (an endpoint) and
 * `qos/ratelimit/service/redis` (the whole gateway): the keys of their in-memory twins, counted
 * in Redis so that every instance of the gateway shares one limit.
 */
export interface RedisRateLimitOptions extends Omit<RateLimitOptions, 'num_shards' | 'cleanup_period' | 'cleanup_threads'> {
  /** The name of one of the service's `redis` connection pools. */
  readonly connection_pool?: string
  /** KrakenD's newer name of `connection_pool`. */
  readonly connection_name?: string
  /** While Redis cannot answer: let requests through (true), or refuse them with a 503 (false, the default). */
  readonly on_failure_allow?: boolean
}

/** Where a Redis rate limit's pool comes from, and what names its keys. */
export interface RedisRateLimitContext extends Partial<MiddlewareContext> {
  /** The gateway's Redis connection pools (a file's `redis` namespace; `new RedisPools(config, logger)` in code). */
  readonly redis?: RedisPools
}

export const ROUTER_REDIS_NAMESPACE = 'qos/ratelimit/router/redis'
export const SERVICE_REDIS_NAMESPACE = 'qos/ratelimit/service/redis'

/** The prefix of every key rxgate's rate limits write in Redis. */
export const KEY_PREFIX = 'rxgate:ratelimit:'

const UNAVAILABLE = new RxgateError(ErrorCodes.RATE_LIMIT_UNAVAILABLE, 'the rate limit could not be checked: Redis did not answer', {}, { headers: { 'Retry-After': '1' } })

/**
 * `qos/ratelimit/router/redis`: the endpoint rate limit (`rateLimit`), its buckets kept in Redis,
 * so that every instance of the gateway shares one `max_rate` and one `client_max_rate` per
 * client. One command per request (a Lua script, atomic). While Redis cannot answer (down,
 * restarting, slower than the pool's `read_timeout`), `on_failure_allow` lets requests through,
 * else they get a 503 (`RXGATE_ERR_RATE_LIMIT_UNAVAILABLE`); either way the gateway reconnects by
 * itself and counts in Redis again once it answers. The keys are named after `context.at` (a
 * file's endpoint path) and the request's method.
 *
 * @example
 * const pools = new RedisPools({ connection_pools: [{ name: 'shared', address: '127.0.0.1:6379' }] }, logger)
 * const limited = redisRateLimit({ connection_pool: 'shared', max_rate: 100, client_max_rate: 5, strategy: 'ip' }, { redis: pools, at: '/orders' })
 * gw.get('/orders', limited(pipe(fanOut({ orders }), merge()))).onClose(() => pools.close())
 */
export function redisRateLimit(options: RedisRateLimitOptions, context: RedisRateLimitContext = {}): EndpointMiddleware {
  const limits = readLimits(options, 'endpoint', ROUTER_REDIS_NAMESPACE)
  const shared = new SharedLimits(options, limits, 'endpoint', context, ROUTER_REDIS_NAMESPACE)
  const clientOf = limits.client ? endpointClientKey(limits.client.strategy, limits.client.key) : () => ''
  return (pipeline) => (request$) =>
    request$.pipe(
      mergeMap((request) => {
        const decided = shared.admit(request.method, clientOf(request))
        if (decided === undefined) return pipeline(of(request))
        if (!(decided instanceof Promise)) return throwError(() => decided)
        return from(decided).pipe(mergeMap((refusal) => (refusal === undefined ? pipeline(of(request)) : throwError(() => refusal))))
      }),
    )
}

/**
 * `qos/ratelimit/service/redis`: the service rate limit (`serviceRateLimit`) with its buckets in
 * Redis: every request any instance of the gateway gets, before routing, counts against one
 * limit. As `redisRateLimit` otherwise.
 *
 * @example
 * gateway().use(serviceRedisRateLimit({ connection_pool: 'shared', max_rate: 10000, on_failure_allow: true }, { redis: pools }))
 */
export function serviceRedisRateLimit(options: RedisRateLimitOptions, context: RedisRateLimitContext = {}): ServerMiddleware {
  const limits = readLimits(options, 'service', SERVICE_REDIS_NAMESPACE)
  const shared = new SharedLimits(options, limits, 'service', { ...context, at: context.at ?? 'service' }, SERVICE_REDIS_NAMESPACE)
  const clientOf = limits.client ? serverClientKey(limits.client.strategy as 'ip' | 'header', limits.client.key) : () => ''
  const logger = context.logger
  return (next) => (req, res) => {
    const decided = shared.admit('', clientOf(req))
    if (decided === undefined) return next(req, res)
    if (!(decided instanceof Promise)) return writeReply(res, errorReply(decided))
    decided.then(
      (refusal) => (refusal === undefined ? carryOn(next, req, res, logger) : writeReply(res, errorReply(refusal))),
      // admit never rejects; a throw while writing the refusal ends this request alone
      () => res.destroy(),
    )
  }
}

/** The rest of the stages, after an asynchronous decision: what throws there ends this request, not the process. */
function carryOn(next: (req: IncomingMessage, res: ServerResponse) => void, req: IncomingMessage, res: ServerResponse, logger: Logger | undefined): void {
  try {
    next(req, res)
  } catch (error) {
    logger?.error({ err: error, code: ErrorCodes.INTERNAL, path: req.url }, 'the request could not be handled')
    if (res.headersSent || res.destroyed) res.destroy()
    else writeReply(res, errorReply(new RxgateError(ErrorCodes.INTERNAL, 'the request could not be handled', {}, { cause: error })))
  }
}

/** A block's buckets in Redis, and what a request without a client key or an unreachable Redis means. */
class SharedLimits {
  private readonly buckets: RedisBuckets
  private readonly prefix: string
  private readonly totals = new Map<string, string>()
  private readonly perClient: boolean
  private readonly missing: string
  private readonly allowOnFailure: boolean
  private readonly logger: Logger | undefined

  constructor(
    options: RedisRateLimitOptions,
    limits: Limits,
    private readonly scope: 'endpoint' | 'service',
    context: RedisRateLimitContext,
    namespace: string,
  ) {
    const pool = options.connection_pool ?? options.connection_name
    if (typeof pool !== 'string' || pool === '') {
      throw new RxgateError(ErrorCodes.BAD_ARGUMENT, `${namespace}: connection_pool is required: the name of one of the service's redis connection_pools`)
    }
    if (!context.redis) throw new RxgateError(ErrorCodes.BAD_ARGUMENT, `${namespace}: no Redis connection pools were given (the service's "redis" namespace)`)
    const total = limits.total && new TokenBucket(limits.total)
    const client = limits.client && new TokenBucket(limits.client)
    this.buckets = new RedisBuckets(context.redis.get(pool), total, client)
    this.prefix = `${KEY_PREFIX}${context.at ?? namespace}:`
    this.perClient = client !== undefined
    this.missing = limits.client ? clientKeyName(limits.client.strategy, limits.client.key) : ''
    this.allowOnFailure = options.on_failure_allow === true
    this.logger = context.logger
  }

  /**
   * Decides a request: undefined (let through) or a refusal at once when no Redis command is
   * needed, else a promise of the same; the promise never rejects (an unreachable Redis is
   * `on_failure_allow`'s decision).
   */
  admit(method: string, client: string): Refusal | undefined | Promise<Refusal | undefined> {
    if (this.perClient && client === '') return noClientKey(this.missing)
    const total = this.totalKey(method)
    const clientKey = this.perClient ? `${total}:client:${compactKey(client)}` : total
    return this.buckets.take(total, clientKey).then(
      (verdict) => this.refusal(verdict),
      (error: unknown) => {
        this.logger?.debug({ err: error, allowed: this.allowOnFailure }, 'rate limit: Redis did not answer')
        return this.allowOnFailure ? undefined : UNAVAILABLE
      },
    )
  }

  private refusal(verdict: RedisVerdict): Refusal | undefined {
    if (verdict.refused === undefined) return undefined
    return verdict.refused === 'client' ? tooManyRequests(verdict.waitMs) : overRateLimit(verdict.waitMs, this.scope)
  }

  /** The key of all clients' bucket: one per endpoint and method (an endpoint path may serve several methods). */
  private totalKey(method: string): string {
    let key = this.totals.get(method)
    if (key === undefined) {
      key = method === '' ? `${this.prefix}total` : `${this.prefix}${method}:total`
      if (this.totals.size < 16) this.totals.set(method, key)
    }
    return key
  }
}

/**
 * What is wrong with a Redis rate limit block that its JSON Schema cannot say: its in-memory
 * twin's findings, and a block that names no connection pool. (`rxgate check` also names a pool
 * the service's `redis` namespace does not declare.)
 */
export function redisRateLimitProblems(options: RedisRateLimitOptions, place: 'endpoint' | 'service'): LimitFinding[] {
  const findings = rateLimitProblems(options, place)
  if (options.connection_pool === undefined && options.connection_name === undefined) {
    findings.unshift({ path: '/connection_pool', message: "is required: the name of one of the service's redis connection_pools" })
  }
  return findings
}

/** `qos/ratelimit/router/redis`, on endpoints. */
export const redisRateLimitDefinition: MiddlewareDefinition = {
  namespace: ROUTER_REDIS_NAMESPACE,
  endpoint: (options: RedisRateLimitOptions, context) => redisRateLimit(options, context),
}

/** `qos/ratelimit/service/redis` (KrakenD's schema file calls it `qos/ratelimit/redis`), at the service. */
export const serviceRedisRateLimitDefinition: MiddlewareDefinition = {
  namespace: SERVICE_REDIS_NAMESPACE,
  server: (options: RedisRateLimitOptions, context) => serviceRedisRateLimit(options, context),
}
