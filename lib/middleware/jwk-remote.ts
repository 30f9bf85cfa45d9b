import type { JWK } from 'jose'
import { parseJson } from '../codec/parse-json.js'
import { authFetch, type AuthTls } from './auth-http.js'

/** A JWK set as fetched: its keys, and when it was fetched. */
export interface JwkDocument {
  readonly keys: readonly JWK[]
  /** `Date.now()` when it arrived. */
  readonly at: number
}

/** How long one fetch of a JWK set may take, all told. */
export const JWK_FETCH_TIMEOUT = 5_000
/** A JWK set larger than this is refused. */
const MAX_JWK_SET_BYTES = 1 << 20

/**
 * The JWK sets of the process, one per URL (and TLS settings), shared by every validator and
 * signer that names it: at most one fetch of a URL is in flight, whoever asks, and a fetched set
 * serves every caller for KrakenD's `shared_cache_duration` (the service's `auth/validator`).
 */
export class RemoteJwks {
  private static readonly sets = new Map<string, RemoteJwks>()
  /** KrakenD's `shared_cache_duration`, in milliseconds: 0, none. */
  private static sharedCache = 0

  /** The set at `url`, the same object for every caller with the same TLS settings. */
  static at(url: string, tls: AuthTls = {}): RemoteJwks {
    const id = `${url} ${JSON.stringify(tls)}`
    let set = RemoteJwks.sets.get(id)
    if (!set) {
      set = new RemoteJwks(url, tls)
      RemoteJwks.sets.set(id, set)
    }
    return set
  }

  /**
   * Sets the shared cache of every JWK URL of the process: a set fetched less than `ms` ago is
   * given to whoever asks instead of being fetched again (KrakenD's `shared_cache_duration`).
   */
  static shareFor(ms: number): void {
    RemoteJwks.sharedCache = ms
  }

  private last: JwkDocument | undefined
  private inflight: Promise<JwkDocument> | undefined
  private failure: { readonly at: number; readonly error: Error } | undefined
  private startedAt = Number.NEGATIVE_INFINITY

  private constructor(
    readonly url: string,
    private readonly tls: AuthTls,
  ) {}

  /**
   * The set, fetched less than `maxAge` ago (or within the shared cache), else fetched now: joined
   * when a fetch is in flight. A failure less than `cooldown` ago is given again rather than
   * hammering a server that just failed.
   */
  load(maxAge: number, cooldown: number): JwkDocument | Promise<JwkDocument> {
    const now = Date.now()
    if (this.last && now - this.last.at < Math.max(maxAge, RemoteJwks.sharedCache)) return this.last
    if (this.inflight) return this.inflight
    if (this.failure && now - this.failure.at < cooldown) return Promise.reject(this.failure.error)
    return this.fetch(now)
  }

  /**
   * The set again, for a key it did not have: fetched at most once per `cooldown`, whoever asks
   * (a flood of tokens with made-up key ids costs the JWK server one request per cooldown), and
   * not within the shared cache.
   */
  refresh(cooldown: number): JwkDocument | Promise<JwkDocument> | undefined {
    const now = Date.now()
    if (this.inflight) return this.inflight
    if (this.last && now - this.last.at < RemoteJwks.sharedCache) return this.last
    if (now - this.startedAt < cooldown) return this.last
    return this.fetch(now)
  }

  private fetch(now: number): Promise<JwkDocument> {
    this.startedAt = now
    const inflight = download(this.url, this.tls).then(
      (keys) => {
        this.last = { keys, at: Date.now() }
        this.failure = undefined
        return this.last
      },
      (error: unknown) => {
        this.failure = { at: Date.now(), error: error instanceof Error ? error : new Error(String(error)) }
        throw this.failure.error
      },
    )
    this.inflight = inflight
    const settled = () => {
      if (this.inflight === inflight) this.inflight = undefined
    }
    inflight.then(settled, settled)
    return inflight
  }
}

/** Fetches and reads a JWK set (RFC 7517 §5): a JSON object with a `keys` list, served as JSON. */
async function download(url: string, tls: AuthTls): Promise<JWK[]> {
  const { status, contentType, body } = await authFetch(url, {
    headers: { accept: 'application/jwk-set+json, application/json' },
    timeout: JWK_FETCH_TIMEOUT,
    maxBytes: MAX_JWK_SET_BYTES,
    tls,
  })
  if (status < 200 || status > 299) throw new Error(`the JWK server answered ${status}`)
  const type = contentType.toLowerCase()
  if (!type.startsWith('application/json') && !type.startsWith('application/jwk-set+json')) {
    throw new Error(`the JWK server answered ${contentType === '' ? 'without a content type' : contentType}, not JSON`)
  }
  return jwkSetKeys(parseJson(body))
}

/**
 * The keys of a JWK set document; a lone JWK counts as a set of one. Entries that are not objects
 * are left out.
 *
 * @example
 * jwkSetKeys({ keys: [{ kty: 'oct', kid: 'a', k: '...' }] }) // [{ kty: 'oct', kid: 'a', k: '...' }]
 */
export function jwkSetKeys(document: unknown): JWK[] {
  if (!isObject(document)) throw new Error('a JWK set must be a JSON object with a "keys" list')
  if (!Object.hasOwn(document, 'keys') && typeof document.kty === 'string') return [document as JWK]
  if (!Array.isArray(document.keys)) throw new Error('a JWK set must have a "keys" list')
  return document.keys.filter((key): key is JWK => isObject(key) && typeof key.kty === 'string')
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
