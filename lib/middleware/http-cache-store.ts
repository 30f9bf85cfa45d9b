import type { Redis } from 'ioredis'
import { LRUCache } from 'lru-cache'
import { rememberSource, sourceOf } from '../codec/json-source.js'
import type { Logger } from '../logger.js'
import { freshness, type AnswerHead, type Freshness } from './http-cache-rules.js'

/**
 * One answer the HTTP cache keeps: the value its backend call gave (decoded, never changed in
 * place by anyone, so it is handed out as it is) and its head, with the freshness derived from it.
 */
export interface CachedAnswer {
  readonly value: unknown
  readonly head: AnswerHead
  readonly freshness: Freshness
  /** The bytes it stands for, for `max_size`: its body's and its caching headers'. */
  readonly size: number
}

/**
 * What a URL's key holds when its answers vary on request headers (`Vary`): the header names,
 * under which each variant has a key of its own, and an id that those keys carry, so that the
 * variants of an earlier list (or of one removed) are never found again.
 */
export interface Variants {
  readonly vary: readonly string[]
  readonly id: string
}

export type CacheRecord = CachedAnswer | Variants

export function isVariants(record: CacheRecord): record is Variants {
  return (record as Variants).vary !== undefined
}

/**
 * Where cached answers are kept, by key, each for as long as it may be used (`ttl`, in ms). `get`
 * answers at once from memory, or in a promise from Redis; a store that fails behaves as empty.
 */
export interface CacheStore {
  get(key: string): CacheRecord | undefined | Promise<CacheRecord | undefined>
  set(key: string, record: CacheRecord, ttl: number): void
  delete(key: string): void
}

/** A bucket's limits, as KrakenD's `max_items` and `max_size` (both, or none: then only expiry bounds it). */
export interface BucketLimits {
  readonly maxItems: number
  readonly maxSize: number
}

/** How long an uncapped bucket keeps a record when told nothing (never: every `set` says). */
const DEFAULT_TTL = 60 * 60 * 1000

/**
 * A bucket in memory: a least-recently-used list (`lru-cache`), capped in entries and bytes when
 * given limits, where a record goes at the end of its time, as soon as it comes (uncapped: a
 * timer per record removes it, so that memory holds only what may still be used) or when next
 * looked up (capped: the least used records make room anyway). The item cap is counted here
 * rather than given to `lru-cache` as `max`, which would allocate that many slots at start-up.
 *
 * @example
 * const bucket = new MemoryStore({ maxItems: 100, maxSize: 128_000_000 })
 */
export class MemoryStore implements CacheStore {
  private readonly lru: LRUCache<string, CacheRecord>
  private readonly maxItems: number
  private readonly capped: boolean

  constructor(limits?: BucketLimits) {
    this.maxItems = limits?.maxItems ?? Number.POSITIVE_INFINITY
    this.capped = limits !== undefined
    this.lru = limits
      ? new LRUCache<string, CacheRecord>({ maxSize: limits.maxSize, ttlResolution: 0 })
      : new LRUCache<string, CacheRecord>({ ttl: DEFAULT_TTL, ttlAutopurge: true, ttlResolution: 0 })
  }

  get(key: string): CacheRecord | undefined {
    return this.lru.get(key)
  }

  set(key: string, record: CacheRecord, ttl: number): void {
    const time = Math.max(1, Math.ceil(ttl))
    this.lru.set(key, record, this.capped ? { ttl: time, size: sizeOf(key, record) } : { ttl: time })
    while (this.lru.size > this.maxItems) this.lru.pop()
  }

  delete(key: string): void {
    this.lru.delete(key)
  }

  /** How many records it holds, expired ones not yet looked up included. */
  get size(): number {
    return this.lru.size
  }
}

function sizeOf(key: string, record: CacheRecord): number {
  return key.length + (isVariants(record) ? record.id.length + record.vary.join().length : record.size)
}

/**
 * A bucket in Redis, which every gateway process that names the same connection pool shares:
 * each record under `rxgate:http-cache:<bucket>:<key>`, expiring with its `ttl` (`PX`). An answer
 * is written as one line of JSON (its head) and its body: the bytes it was parsed from when the
 * value remembers them (a JSON document sent as it came), else the value written as JSON; read
 * back, the body is parsed again and remembered as the value's bytes. Redis being down or slow is
 * a miss, never a failed request: writes are not awaited, and a failed read is logged at debug
 * level (the pool logs the outage itself).
 *
 * @example
 * const bucket = new RedisStore(pools.get('shared'), 'backend /users/{id}', logger)
 */
export class RedisStore implements CacheStore {
  private readonly prefix: string

  constructor(
    private readonly client: Redis,
    bucket: string,
    private readonly logger: Logger,
  ) {
    this.prefix = `rxgate:http-cache:${bucket}:`
  }

  async get(key: string): Promise<CacheRecord | undefined> {
    let stored: Buffer | null
    try {
      stored = await this.client.getBuffer(this.prefix + key)
    } catch (error) {
      this.logger.debug({ err: error, key }, 'http cache: Redis read failed: a miss')
      return undefined
    }
    return stored === null ? undefined : decode(stored)
  }

  set(key: string, record: CacheRecord, ttl: number): void {
    const encoded = encode(record)
    if (encoded === undefined) return
    this.client.set(this.prefix + key, encoded, 'PX', Math.max(1, Math.ceil(ttl))).catch((error: unknown) => {
      this.logger.debug({ err: error, key }, 'http cache: Redis write failed')
    })
  }

  delete(key: string): void {
    this.client.del(this.prefix + key).catch((error: unknown) => {
      this.logger.debug({ err: error, key }, 'http cache: Redis delete failed')
    })
  }
}

/**
 * A memory bucket in front of a Redis one: what this process used lately is answered without a
 * round trip; the rest comes from Redis (then kept in memory for as long as it may be used), where
 * the other processes find what this one stored.
 */
export class TieredStore implements CacheStore {
  constructor(
    private readonly near: MemoryStore,
    private readonly far: RedisStore,
    /** How long a record read from Redis may be kept (`keepFor`), from now. */
    private readonly keep: (record: CacheRecord) => number,
  ) {}

  get(key: string): CacheRecord | undefined | Promise<CacheRecord | undefined> {
    const near = this.near.get(key)
    if (near !== undefined) return near
    return this.far.get(key).then((record) => {
      if (record !== undefined) {
        const ttl = this.keep(record)
        if (ttl > 0) this.near.set(key, record, ttl)
      }
      return record
    })
  }

  set(key: string, record: CacheRecord, ttl: number): void {
    this.near.set(key, record, ttl)
    this.far.set(key, record, ttl)
  }

  delete(key: string): void {
    this.near.delete(key)
    this.far.delete(key)
  }
}

const VARIANTS = 0x56 // 'V'
const ANSWER = 0x41 // 'A'
const NEWLINE = 0x0a

function encode(record: CacheRecord): Buffer | undefined {
  if (isVariants(record)) return Buffer.from(`V${JSON.stringify({ vary: record.vary, id: record.id })}`)
  let body = sourceOf(record.value)
  if (body === undefined) {
    try {
      body = Buffer.from(JSON.stringify(record.value) ?? 'null')
    } catch {
      return undefined // a value JSON cannot write is kept in memory only
    }
  }
  return Buffer.concat([Buffer.from(`A${JSON.stringify(record.head)}\n`), body])
}

/** A record read back from Redis; `undefined` for one this version cannot read (a miss). */
function decode(stored: Buffer): CacheRecord | undefined {
  try {
    if (stored[0] === VARIANTS) return JSON.parse(stored.subarray(1).toString('utf8')) as Variants
    if (stored[0] !== ANSWER) return undefined
    const end = stored.indexOf(NEWLINE)
    const head = JSON.parse(stored.subarray(1, end).toString('utf8')) as AnswerHead
    const body = stored.subarray(end + 1)
    const value: unknown = JSON.parse(body.toString('utf8'))
    rememberSource(value, body)
    return { value, head, freshness: freshness(head), size: stored.length }
  } catch {
    return undefined
  }
}
