import { randomUUID } from 'node:crypto'
import { callSource, perRequest } from '../../operators/per-request.js'
import { withInterceptor, type CallInterceptor, type InterceptedAnswer, type InterceptedCall } from '../backend/intercept.js'
import { ErrorCodes, RxgateError } from '../errors.js'
import { pino } from 'pino'
import type { GatewayRequest } from '../request.js'
import { cacheControl } from './cache-control.js'
import {
  answerHead,
  freshened,
  freshness,
  keepFor,
  reuse,
  storable,
  usableOnError,
  varyNames,
  type AnswerHead,
} from './http-cache-rules.js'
import {
  MemoryStore,
  RedisStore,
  TieredStore,
  isVariants,
  type BucketLimits,
  type CacheRecord,
  type CacheStore,
  type CachedAnswer,
  type Variants,
} from './http-cache-store.js'
import type { BackendMiddleware, BackendSource, MiddlewareContext, MiddlewareDefinition } from './types.js'

/** KrakenD's `qos/http-cache` block of a backend, and rxgate's `connection_pool`. */
export interface HttpCacheOptions {
  /**
   * One bucket for every backend that says `shared` (with the same limits), so that they reuse
   * each other's answers; otherwise the backend has a bucket of its own. Default false.
   */
  readonly shared?: boolean
  /** The most answers the bucket keeps (with `max_size`: both, or neither). */
  readonly max_items?: number
  /** The most bytes of answers the bucket keeps (with `max_items`), least recently used first out. */
  readonly max_size?: number
  /**
   * A Redis connection pool of the service's `redis` namespace: the bucket is kept there too, so
   * that every gateway process naming that pool shares it (rxgate's key; KrakenD has no Redis store).
   */
  readonly connection_pool?: string
}

/**
 * `qos/http-cache`: the backend's answers are kept and answer again for as long as their
 * `Cache-Control` (or `Expires`) allows, by RFC 9111's rules for a shared cache, as KrakenD's
 * krakend-httpcache keeps them (see lib/middleware/http-cache-rules.ts). A kept answer costs no
 * backend call and no decoding: the cache keeps the decoded value, which nothing changes in place,
 * and a JSON document sent as it came still goes out as its bytes. Only GET calls are kept; a
 * `POST`, `PUT`, `PATCH` or `DELETE` that succeeds removes what was kept for its URL. A stale
 * answer with an `ETag` or `Last-Modified` is validated with a conditional request, a 304 sparing
 * its body; `stale-if-error` lets one stand in for a failing backend.
 *
 * The cache works at the HTTP level, below decoding: it takes over the calls of rxgate's
 * transport (`backend()`) under it. A source that is not one (a plugin's client, code of one's
 * own) is called as it is, and nothing of it is kept.
 *
 * @example
 * const users = httpCache({ max_items: 1000, max_size: 16 * 1024 * 1024 })(backend('http://users:8080/users/{id}'))
 * const shared = httpCache({ connection_pool: 'shared' }, { redis: pools })(backend('http://catalog:8080/items'))
 */
export function httpCache(options: HttpCacheOptions = {}, context: Partial<MiddlewareContext> = {}): BackendMiddleware {
  const at = context.at ?? 'qos/http-cache'
  const problem = [...rangeProblems(options), ...httpCacheProblems(options)][0]
  if (problem) throw new RxgateError(ErrorCodes.BAD_ARGUMENT, `qos/http-cache of ${at}: ${problem.path.slice(1)} ${problem.message}`, { at })
  const intercept = cachingCalls(bucketFor(options, context, at))
  return (source: BackendSource) => perRequest((request: GatewayRequest) => callSource(source, withInterceptor(request, intercept)))
}

/** `qos/http-cache` on backends. */
export const httpCacheDefinition: MiddlewareDefinition = {
  namespace: 'qos/http-cache',
  backend: httpCache,
}

/**
 * What is wrong with a `qos/http-cache` block that its JSON Schema cannot say: `max_items` and
 * `max_size` come together or not at all (KrakenD caps a bucket only with both).
 *
 * @example
 * httpCacheProblems({ max_items: 100 })   // [{ path: '/max_items', message: 'must come with max_size: ...' }]
 */
export function httpCacheProblems(options: HttpCacheOptions): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = []
  if (options.max_items !== undefined && options.max_size === undefined) {
    problems.push({ path: '/max_items', message: 'must come with max_size: a bucket is capped by both, or by neither' })
  }
  if (options.max_size !== undefined && options.max_items === undefined) {
    problems.push({ path: '/max_size', message: 'must come with max_items: a bucket is capped by both, or by neither' })
  }
  return problems
}

/** The limits' ranges, as the JSON Schema checks them in a file, for blocks written in code. */
function rangeProblems({ max_items: items, max_size: size }: HttpCacheOptions): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = []
  if (items !== undefined && (!Number.isSafeInteger(items) || items < 1)) problems.push({ path: '/max_items', message: `must be a whole number, 1 or more (got ${String(items)})` })
  if (size !== undefined && (!Number.isSafeInteger(size) || size < 1024)) problems.push({ path: '/max_size', message: `must be a whole number of bytes, 1024 or more (got ${String(size)})` })
  return problems
}

/** The process's shared buckets (`shared: true`), one per pair of limits, as KrakenD keeps one global bucket. */
const sharedBuckets = new Map<string, MemoryStore>()

function bucketFor(options: HttpCacheOptions, context: Partial<MiddlewareContext>, at: string): CacheStore {
  const limits: BucketLimits | undefined =
    options.max_items !== undefined && options.max_size !== undefined ? { maxItems: options.max_items, maxSize: options.max_size } : undefined
  let memory: MemoryStore
  if (options.shared) {
    const name = limits ? `${limits.maxItems}/${limits.maxSize}` : 'uncapped'
    memory = sharedBuckets.get(name) ?? new MemoryStore(limits)
    sharedBuckets.set(name, memory)
  } else {
    // a reloaded file keeps the answers of a block it did not change
    memory = context.keep ? context.keep(() => new MemoryStore(limits)) : new MemoryStore(limits)
  }
  if (options.connection_pool === undefined) return memory
  if (context.redis === undefined) {
    throw new RxgateError(ErrorCodes.BAD_ARGUMENT, `qos/http-cache of ${at}: connection_pool ${JSON.stringify(options.connection_pool)} needs the service's Redis pools`, { at })
  }
  const client = context.redis.get(options.connection_pool)
  const remote = new RedisStore(client, options.shared ? 'shared' : at, context.logger ?? SILENT)
  return new TieredStore(memory, remote, (record) => (isVariants(record) ? VARIANTS_TTL : keepFor(record.freshness, Date.now())))
}

/** How long a URL's list of `Vary` names is kept: longer than most variants, and each store renews it. */
const VARIANTS_TTL = 10 * 60 * 1000

/** Statuses that let a stale answer stand in for its backend (RFC 5861 §4), as network failures do. */
const SERVER_ERRORS = new Set([500, 502, 503, 504])

/** Methods that change what their URL holds: a success removes what was kept for it (RFC 9111 §4.4). */
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** Request headers that ask for something else than the whole current answer: such calls pass by the cache. */
const CONDITIONAL = ['range', 'if-range', 'if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since']

/** The interceptor of one bucket's calls (see `CallInterceptor`). */
function cachingCalls(store: CacheStore): CallInterceptor {
  return async (call) => {
    if (call.method !== 'GET') return UNSAFE.has(call.method) ? invalidating(store, call) : passing(call)
    if (CONDITIONAL.some((name) => call.headers[name] !== undefined)) return passing(call)
    const key = `${call.decoding} ${call.url}`
    const request = cacheControl(call.headers['cache-control'])
    const looked = lookup(store, key, call.headers)
    // a memory bucket answers at once: no promise to wait for on a hit
    const found = looked instanceof Promise ? await looked : looked
    const stored = found.answer
    if (stored !== undefined && reuse(stored.freshness, request, Date.now()) === 'use') return stored.value
    if (request.has('only-if-cached')) throw notCached(call.url)

    const validators = stored === undefined ? undefined : validatorsOf(stored)
    const requestTime = Date.now()
    let answer: InterceptedAnswer
    try {
      answer = await call.send(validators)
    } catch (error) {
      if (stored !== undefined && usableOnError(stored.freshness, request, Date.now())) return stored.value
      throw error
    }
    const responseTime = Date.now()
    if (stored !== undefined) {
      if (answer.status === 304 && validators !== undefined && answer.url === call.url) {
        answer.discard()
        const head = freshened(stored.head, answer.headers, requestTime, responseTime)
        if (storable(call.method, call.headers, head)) keep(store, key, found.variants, call, { ...stored, head, freshness: freshness(head) })
        else store.delete(found.key)
        return stored.value
      }
      if (SERVER_ERRORS.has(answer.status) && usableOnError(stored.freshness, request, responseTime)) {
        answer.discard()
        return stored.value
      }
    }
    const { value, bytes } = await answer.read()
    const head = answerHead(answer.status, answer.headers, requestTime, responseTime)
    if (answer.url === call.url && storable(call.method, call.headers, head)) {
      keep(store, key, found.variants, call, { value, head, freshness: freshness(head), size: bytes + headBytes(head) })
    } else if (stored !== undefined) store.delete(found.key)
    return value
  }
}

/** What a key holds for a request: its answer (for its `Vary` values), under which key, and the URL's `Vary` list. */
interface Found {
  readonly answer: CachedAnswer | undefined
  readonly key: string
  readonly variants: Variants | undefined
}

function lookup(store: CacheStore, key: string, headers: Readonly<Record<string, string>>): Found | Promise<Found> {
  const record = store.get(key)
  return record instanceof Promise ? record.then((found) => variantOf(store, key, headers, found)) : variantOf(store, key, headers, record)
}

function variantOf(store: CacheStore, key: string, headers: Readonly<Record<string, string>>, record: CacheRecord | undefined): Found | Promise<Found> {
  if (record === undefined) return { answer: undefined, key, variants: undefined }
  if (!isVariants(record)) return { answer: record, key, variants: undefined }
  const variantKey = variantKeyOf(key, record, headers)
  const found = (variant: CacheRecord | undefined): Found => ({ answer: variant === undefined || isVariants(variant) ? undefined : variant, key: variantKey, variants: record })
  const variant = store.get(variantKey)
  return variant instanceof Promise ? variant.then(found) : found(variant)
}

/** Keeps an answer for as long as it may be used: under its URL's key, or, when it varies, under its variant's. */
function keep(store: CacheStore, key: string, known: Variants | undefined, call: InterceptedCall, answer: CachedAnswer): void {
  const ttl = keepFor(answer.freshness, Date.now())
  if (ttl <= 0) return
  const names = varyNames(answer.head)
  if (names === '*') return
  if (names.length === 0) return store.set(key, answer, ttl)
  const variants = known !== undefined && sameNames(known.vary, names) ? known : { vary: names, id: randomUUID() }
  store.set(key, variants, Math.max(ttl, VARIANTS_TTL))
  store.set(variantKeyOf(key, variants, call.headers), answer, ttl)
}

/** A variant's key: its URL's, the id of the `Vary` list, and the request's values of those headers (absent ones as null). */
function variantKeyOf(key: string, variants: Variants, headers: Readonly<Record<string, string>>): string {
  return `${key}\n${variants.id}\n${JSON.stringify(variants.vary.map((name) => headers[name]?.trim() ?? null))}`
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i])
}

function validatorsOf(stored: CachedAnswer): Record<string, string> | undefined {
  const { etag, lastModified } = stored.freshness
  if (etag === undefined && lastModified === undefined) return undefined
  return { ...(etag === undefined ? {} : { 'if-none-match': etag }), ...(lastModified === undefined ? {} : { 'if-modified-since': lastModified }) }
}

/** A call the cache does not keep, sent as it is. */
async function passing(call: InterceptedCall): Promise<unknown> {
  return (await (await call.send()).read()).value
}

/** An unsafe call: once it succeeds, what was kept for its URL (a GET with the same decoding) goes. */
async function invalidating(store: CacheStore, call: InterceptedCall): Promise<unknown> {
  const answer = await call.send()
  if (answer.status < 400) store.delete(`${call.decoding} ${call.url}`)
  return (await answer.read()).value
}

function headBytes(head: AnswerHead): number {
  let bytes = 0
  for (const name in head.headers) bytes += name.length + head.headers[name]!.length + 4
  return bytes
}

/** RFC 9111 §5.2.1.7: nothing usable is kept and the request wants nothing else; a 504, as a cache answers it. */
function notCached(url: string): RxgateError {
  return new RxgateError(
    ErrorCodes.BACKEND_STATUS,
    `backend ${url} was not called: the request asks only for a cached answer (only-if-cached) and none is usable`,
    { status: 504, url },
  )
}

const SILENT = pino({ level: 'silent' })
