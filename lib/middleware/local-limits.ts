import { ClientBuckets } from './client-buckets.js'
import type { Limits } from './rate-limit-options.js'
import { noClientKey, overRateLimit, tooManyRequests, type Refusal } from './rate-limit-refusals.js'
import { monotonicClock, TokenBucket } from './token-bucket.js'

/**
 * A rate limit block's buckets, in this process's memory: the bucket of all clients together and
 * one per client. A request is checked against its client's bucket first, then against the
 * shared one, as KrakenD stacks them (a client refused takes nothing from the others' share).
 *
 * @example
 * const limits = new LocalLimits(readLimits({ max_rate: 100, client_max_rate: 5, strategy: 'ip' }, 'endpoint', 'qos/ratelimit/router'), 'endpoint')
 * limits.admit('203.0.113.9')   // undefined: let through; else the refusal (429 or 503)
 */
export class LocalLimits {
  private readonly total: TokenBucket | undefined
  private readonly clients: ClientBuckets | undefined

  constructor(
    limits: Limits,
    private readonly scope: 'endpoint' | 'service',
    /** What the client's key is read from, for the refusal of a request without one. */
    private readonly missing = 'client key',
    private readonly clock: () => number = monotonicClock,
  ) {
    this.total = limits.total && new TokenBucket(limits.total, clock)
    this.clients =
      limits.client &&
      new ClientBuckets(new TokenBucket(limits.client, clock), limits.cleanupPeriod === undefined ? {} : { cleanupPeriod: limits.cleanupPeriod }, clock)
  }

  /** Whether the block limits clients one by one (so a request's client key is needed). */
  get perClient(): boolean {
    return this.clients !== undefined
  }

  /** Lets a request through (undefined) or tells why not: its client is over its limit, or everyone together is. */
  admit(client: string): Refusal | undefined {
    const now = this.clock()
    if (this.clients !== undefined) {
      if (client === '') return noClientKey(this.missing)
      const wait = this.clients.take(client, now)
      if (wait > 0) return tooManyRequests(wait)
    }
    if (this.total !== undefined && !this.total.take(now)) return overRateLimit(this.total.wait(now), this.scope)
    return undefined
  }
}
