import { createHash } from 'node:crypto'
import { monotonicClock, type TokenBucket } from './token-bucket.js'

export interface ClientBucketsOptions {
  /**
   * How often clients left alone are forgotten (KrakenD's `cleanup_period`), in milliseconds;
   * never sooner than the bucket's refill time, so that only full buckets are forgotten. Default 1 minute.
   */
  readonly cleanupPeriod?: number
  /** The most clients remembered at once; past it, the ones seen least recently are forgotten early. Default {@link MAX_CLIENTS}. */
  readonly maxClients?: number
}

/**
 * The most clients one limit remembers at once by default: about 25 MB of keys and states at
 * worst (about 100 bytes a client, measured in spec/middleware/client-buckets.spec.ts), whatever
 * clients send.
 */
export const MAX_CLIENTS = 250_000

/** Client keys longer than this (a token, a long header) are kept as their SHA-256, so a key costs at most ~100 bytes. */
export const MAX_KEY_LENGTH = 64

/**
 * One token bucket per client (KrakenD's `client_max_rate`), each kept as the one number of its
 * state (see `TokenBucket`), in memory bounded whatever clients send.
 *
 * Clients are kept in two generations, the current one and the one before; every period
 * (`cleanupPeriod`, at least the bucket's refill time) the older one is dropped whole and the
 * current one becomes the older: a client left alone for two periods is forgotten, and since its
 * bucket had refilled by then, forgetting it changes nothing (a client never seen gets a full
 * bucket). Nothing runs between requests: the generations turn when a request finds the period
 * over, and a generation grown to half of `maxClients` turns them early (a flood of made-up
 * client keys then makes the gateway forget the quietest clients a little early, never grow).
 *
 * @example
 * const clients = new ClientBuckets(new TokenBucket({ max_rate: 5, capacity: 5 }))
 * clients.take('203.0.113.9')   // 0: let through; otherwise the milliseconds until its next token
 */
export class ClientBuckets {
  private current = new Map<string, number>()
  private previous = new Map<string, number>()
  private readonly period: number
  private readonly generationSize: number
  private turnAt: number

  constructor(
    private readonly bucket: TokenBucket,
    options: ClientBucketsOptions = {},
    private readonly clock: () => number = monotonicClock,
  ) {
    this.period = Math.max(bucket.refill, options.cleanupPeriod ?? 60_000)
    this.generationSize = Math.max(1, Math.floor((options.maxClients ?? MAX_CLIENTS) / 2))
    this.turnAt = clock() + this.period
  }

  /** Takes a token from the client's bucket: 0 when it had one, else the milliseconds until it has one. */
  take(client: string, now = this.clock()): number {
    if (now >= this.turnAt || this.current.size >= this.generationSize) this.turn(now)
    const key = compactKey(client)
    // a client of the older generation moves to the current one when it takes a token
    const state = this.current.get(key) ?? this.previous.get(key) ?? 0
    const next = this.bucket.spend(state, now)
    if (Number.isNaN(next)) return this.bucket.waitFrom(state, now)
    this.current.set(key, next)
    return 0
  }

  /** How many clients are remembered (a client in both generations counts twice). */
  get size(): number {
    return this.current.size + this.previous.size
  }

  private turn(now: number): void {
    // after two idle periods both generations hold only full buckets
    this.previous = now >= this.turnAt + this.period ? new Map() : this.current
    this.current = new Map()
    this.turnAt = now + this.period
  }
}

/**
 * A client key as a limit keeps it: itself, or past {@link MAX_KEY_LENGTH} its SHA-256, marked with
 * a NUL no header value holds, so that no client can send another's digest as its own key.
 *
 * @example
 * compactKey('203.0.113.9')              // '203.0.113.9'
 * compactKey(`Bearer ${jwt}`)            // '\0' + 43 base64url characters
 */
export function compactKey(client: string): string {
  return client.length > MAX_KEY_LENGTH ? `\0${createHash('sha256').update(client).digest('base64url')}` : client
}
