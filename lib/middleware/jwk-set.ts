import { readFileSync } from 'node:fs'
import type { JWK } from 'jose'
import { parseJson } from '../codec/parse-json.js'
import type { AuthTls } from './auth-http.js'
import { JwkKey, type JwsAlgorithm } from './jwk-keys.js'
import { RemoteJwks, jwkSetKeys, type JwkDocument } from './jwk-remote.js'

/**
 * How a token names its key and a key its id (KrakenD's `key_identify_strategy`): by `kid`, by
 * certificate thumbprint (`x5t`, `x5t#S256`; a token without one falls back to its `kid`), or by
 * both (`kid_x5t`: the two joined).
 */
export type KeyIdStrategy = 'kid' | 'x5t' | 'x5t#S256' | 'kid_x5t'

/** Where a set's keys come from, and how long they are trusted without asking again. */
export type JwkSetSource =
  | { readonly path: string }
  | {
      readonly url: string
      readonly tls?: AuthTls
      /** Keys are kept this long (KrakenD's `cache` with `cache_duration`); 0: fetched for every request, as KrakenD without `cache`. */
      readonly maxAge: number
      /** A failed fetch, or a key id the set does not have, fetches again at most once per this long. */
      readonly cooldown: number
    }

/** A key lookup's answer: the key, `undefined` for none, or a promise of either when the set must be fetched. */
export type KeyLookup = JwkKey | undefined | Promise<JwkKey | undefined>

/**
 * The keys one validator or signer trusts, by id: read once from a file, or from a JWK URL kept as
 * long as `maxAge` says, fetched again for an id it does not know (at most once per cooldown, for
 * the whole process) and kept, stale, when the server fails. Lookups of known keys are synchronous.
 */
export class JwkSet {
  private keys = new Map<string, JwkKey>()
  private document: JwkDocument | undefined
  private loadedAt = Number.NEGATIVE_INFINITY
  private readonly remote: RemoteJwks | undefined

  /**
   * Reads a `path` set at once: a file that cannot be read is an error of the configuration,
   * thrown here, at start-up.
   *
   * @example
   * const keys = new JwkSet({ url: 'https://idp/jwks.json', maxAge: 900_000, cooldown: 1000 }, 'RS256', 'kid', 'verify')
   * const key = keys.lookup('key-1')
   */
  constructor(
    private readonly source: JwkSetSource,
    private readonly alg: JwsAlgorithm,
    private readonly strategy: KeyIdStrategy,
    private readonly use: 'verify' | 'sign',
  ) {
    if ('path' in source) {
      this.adopt({ keys: readKeyFile(source.path), at: Date.now() })
      this.remote = undefined
    } else {
      this.remote = RemoteJwks.at(source.url, source.tls)
    }
  }

  /** Where the keys come from, for messages. */
  get origin(): string {
    return 'path' in this.source ? this.source.path : this.source.url
  }

  /**
   * The key with this id. Rejects when the set cannot be loaded at all (its server is down and
   * nothing usable was fetched before).
   */
  lookup(id: string): KeyLookup {
    const source = this.source
    if ('path' in source) return this.keys.get(id)
    const remote = this.remote!
    if (Date.now() - this.loadedAt < source.maxAge) {
      const key = this.keys.get(id)
      if (key) return key
      // An id the set does not have: a new key, maybe (rotation), so the set is asked again.
      const again = remote.refresh(source.cooldown)
      if (again === undefined || again === this.document) return undefined
      return again instanceof Promise ? again.then((document) => this.pick(document, id), () => undefined) : this.pick(again, id)
    }
    const loading = remote.load(0, source.cooldown)
    if (!(loading instanceof Promise)) return this.pick(loading, id)
    if (source.maxAge > 0 && this.document) {
      // Cached keys gone stale serve while the set is fetched again, and stay while its server fails.
      loading.then((document) => this.adopt(document), () => undefined)
      return this.keys.get(id) ?? loading.then((document) => this.pick(document, id), () => undefined)
    }
    return loading.then((document) => this.pick(document, id))
  }

  private pick(document: JwkDocument, id: string): JwkKey | undefined {
    this.adopt(document)
    return this.keys.get(id)
  }

  /** Takes a document's keys: they are fresh from now on. */
  private adopt(document: JwkDocument): void {
    this.loadedAt = Date.now()
    if (document === this.document) return
    this.document = document
    const keys = new Map<string, JwkKey>()
    for (const jwk of document.keys) keys.set(keyId(jwk, this.strategy), JwkKey.of(jwk, this.alg, this.use))
    this.keys = keys
  }
}

/**
 * The id a token's header names its key by, under a strategy (krakend-jose's token key getters).
 *
 * @example
 * tokenKeyId({ alg: 'RS256', kid: 'a', x5t: 'b' }, 'kid_x5t') // 'ab'
 */
export function tokenKeyId(header: Readonly<Record<string, unknown>>, strategy: KeyIdStrategy): string {
  const kid = typeof header.kid === 'string' ? header.kid : ''
  if (strategy === 'kid') return kid
  const thumbprint = header[strategy === 'x5t#S256' ? 'x5t#S256' : 'x5t']
  const x5t = typeof thumbprint === 'string' ? thumbprint : kid
  return strategy === 'kid_x5t' ? kid + x5t : x5t
}

/** The id a JWK goes by under a strategy: its `kid`, its thumbprint (unpadded base64url), or both. */
function keyId(jwk: JWK, strategy: KeyIdStrategy): string {
  const kid = typeof jwk.kid === 'string' ? jwk.kid : ''
  if (strategy === 'kid') return kid
  const thumbprint = (jwk as Record<string, unknown>)[strategy === 'x5t#S256' ? 'x5t#S256' : 'x5t']
  const x5t = typeof thumbprint === 'string' ? thumbprint.replace(/=+$/, '').replaceAll('+', '-').replaceAll('/', '_') : ''
  return strategy === 'kid_x5t' ? kid + x5t : x5t
}

function readKeyFile(path: string): JWK[] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new Error(`cannot read the JWK file ${path}: ${(error as Error).message}`)
  }
  try {
    return jwkSetKeys(parseJson(text))
  } catch (error) {
    throw new Error(`the JWK file ${path} is not a JWK set: ${(error as Error).message}`)
  }
}
