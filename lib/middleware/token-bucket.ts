import { toMilliseconds, type Duration } from '../../operators/duration.js'
import { ErrorCodes, RxgateError } from '../errors.js'

/** A token bucket's shape, as KrakenD's rate limits write it. */
export interface TokenBucketOptions {
  /** Tokens added per `every`, fractions allowed (`0.5` per `1s`: one token every 2 s). Above 0. */
  readonly max_rate: number
  /** The window `max_rate` is counted over. Default `1s`. */
  readonly every?: Duration
  /**
   * The most tokens the bucket holds: how many requests pass at once. Default KrakenD's: `max_rate`
   * per second, rounded down, at least 1 (`max_rate: 50, every: "1s"` holds 50; `max_rate: 50,
   * every: "10m"` holds 1).
   */
  readonly capacity?: number
}

/** Milliseconds that never go backwards (the wall clock may). */
export const monotonicClock = (): number => performance.now()

/** Rounding of the sums of intervals: a bucket never refuses the token it holds by a billionth of a millisecond. */
const EPSILON = 1e-6

/**
 * A token bucket with KrakenD's semantics (`krakend-ratelimit`): full at start, refilled with
 * `max_rate` tokens per `every`, never holding more than `capacity`; a request takes one token,
 * and is refused while none is left (KrakenD's spike arrest: then one request per `every /
 * max_rate`). Fractional rates refill continuously, so `0.5` per second lets one request through
 * every two seconds.
 *
 * Its whole state is one number, the time at which it is full again: `spend` and `waitFrom` do
 * the arithmetic on that number alone, so that a store of a million clients keeps a million
 * numbers, and a Redis script keeps one string per bucket (a key that expires when the bucket is
 * full again, since a full bucket and a missing one are the same).
 *
 * @example
 * const bucket = new TokenBucket({ max_rate: 5, every: '1s', capacity: 10 })
 * bucket.take()   // true, ten times in a row; then false until 200 ms have passed
 * bucket.wait()   // milliseconds until the next token
 */
export class TokenBucket {
  /** Milliseconds between two tokens: `every / max_rate`. */
  readonly interval: number
  /** The most tokens the bucket holds. */
  readonly capacity: number
  /** Milliseconds an empty bucket takes to fill: `capacity × interval`; a bucket left alone that long is full. */
  readonly refill: number
  /** How far past now a bucket's fill time may be while it still holds a token: `(capacity - 1) × interval`. */
  readonly credit: number
  /** When this bucket is full again, on its clock's scale: at or before now, it is full. */
  private fullAt = Number.NEGATIVE_INFINITY

  constructor(
    options: TokenBucketOptions,
    private readonly clock: () => number = monotonicClock,
  ) {
    const { max_rate: rate, capacity } = options
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0) {
      throw new RxgateError(ErrorCodes.BAD_ARGUMENT, `a token bucket's max_rate must be a number above 0 (got ${String(rate)})`)
    }
    const every = toMilliseconds(options.every ?? '1s')
    if (every <= 0) throw new RxgateError(ErrorCodes.BAD_ARGUMENT, `a token bucket's every must be a duration above 0 (got ${JSON.stringify(options.every)})`)
    if (capacity !== undefined && (!Number.isInteger(capacity) || capacity < 1)) {
      throw new RxgateError(ErrorCodes.BAD_ARGUMENT, `a token bucket's capacity must be a whole number of at least 1 (got ${String(capacity)})`)
    }
    this.interval = every / rate
    this.capacity = capacity ?? defaultCapacity(rate, every)
    this.refill = this.capacity * this.interval
    this.credit = (this.capacity - 1) * this.interval
  }

  /** Takes a token if there is one: true, the request may pass; false, it is refused. */
  take(now = this.clock()): boolean {
    const next = this.spend(this.fullAt, now)
    if (Number.isNaN(next)) return false
    this.fullAt = next
    return true
  }

  /** Milliseconds until this bucket holds a token again; 0 while it holds one. */
  wait(now = this.clock()): number {
    return this.waitFrom(this.fullAt, now)
  }

  /**
   * A token taken from a bucket whose state is `fullAt`: its new state, or `NaN` when it holds
   * no token (its state is then unchanged). A bucket never seen is full: give it any `fullAt` at
   * or before `now` (0, on a monotonic clock).
   */
  spend(fullAt: number, now: number): number {
    const from = fullAt > now ? fullAt : now
    return from - now - this.credit > EPSILON ? Number.NaN : from + this.interval
  }

  /** Milliseconds until a bucket whose state is `fullAt` holds a token again; 0 while it holds one. */
  waitFrom(fullAt: number, now: number): number {
    const wait = fullAt - now - this.credit
    return wait > EPSILON ? wait : 0
  }
}

/**
 * KrakenD's default capacity: the rate per second, rounded down, or 1 below one per second
 * (`krakend-ratelimit` converts `max_rate` to a rate per second before it sizes the bucket).
 */
export function defaultCapacity(rate: number, every: number): number {
  // the epsilon keeps 0.7 per 100ms at 7, not 6.999...
  return Math.max(1, Math.floor((rate * 1000) / every + 1e-9))
}

/** Whole seconds to wait, as `Retry-After` writes them (RFC 9110 §10.2.3): at least 1. */
export function retryAfterSeconds(waitMs: number): string {
  return String(Math.max(1, Math.ceil(waitMs / 1000)))
}
