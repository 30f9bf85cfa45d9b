import { importJWK, type CryptoKey, type JWK } from 'jose'

/** The algorithms KrakenD's JWT validator and signer accept (krakend-jose's `supportedAlgorithms`). */
export const JWS_ALGORITHMS = [
  'EdDSA',
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'PS384',
  'PS512',
] as const

export type JwsAlgorithm = (typeof JWS_ALGORITHMS)[number]

/** A key made usable, or why it cannot be. */
export type Imported = { readonly key: CryptoKey } | { readonly error: Error }

/**
 * One key of a JWK set, for one algorithm and one use (verifying or signing), imported once. The
 * same key (same JSON, same algorithm and use) is the same object wherever it is loaded from, so
 * that a token verified with it is known verified by every endpoint that trusts it.
 */
export class JwkKey {
  private imported: Imported | Promise<Imported> | undefined

  private constructor(
    /** The key as its set wrote it (for verifying: without its private members). */
    readonly jwk: Readonly<JWK>,
    readonly alg: JwsAlgorithm,
    readonly use: 'verify' | 'sign',
  ) {}

  private static readonly known = new Map<string, JwkKey>()

  /**
   * The key for `jwk` under `alg`. For verifying, a private key's private members are dropped (a
   * set may hold the pair); for signing they are kept.
   *
   * @example
   * JwkKey.of({ kty: 'oct', kid: 'sim2', k: 'AyM1Sys...' }, 'HS256', 'verify')
   */
  static of(jwk: JWK, alg: JwsAlgorithm, use: 'verify' | 'sign'): JwkKey {
    const kept = use === 'verify' ? publicPart(jwk) : jwk
    const id = `${alg} ${use} ${JSON.stringify(kept)}`
    let key = JwkKey.known.get(id)
    if (!key) {
      key = new JwkKey(kept, alg, use)
      JwkKey.known.set(id, key)
    }
    return key
  }

  /** The imported key: synchronously once done, a promise the first time. */
  load(): Imported | Promise<Imported> {
    this.imported ??= importKey(this.jwk, this.alg, this.use).then(
      (imported) => (this.imported = imported),
      (error: unknown) => (this.imported = { error: error instanceof Error ? error : new Error(String(error)) }),
    )
    return this.imported
  }
}

/** The private members of RSA, EC and OKP keys (RFC 7518 §6, RFC 8037): not for verifying. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth']

function publicPart(jwk: JWK): JWK {
  if (jwk.kty === 'oct') return jwk
  const kept: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(jwk)) if (!PRIVATE_MEMBERS.includes(name)) kept[name] = value
  return kept as JWK
}

const HMAC_HASHES: Readonly<Record<string, string>> = { HS256: 'SHA-256', HS384: 'SHA-384', HS512: 'SHA-512' }

/**
 * An HMAC secret becomes a CryptoKey here (jose leaves it raw, imported again for every token); the
 * other keys go through jose's `importJWK`, which refuses a key of the wrong type for the algorithm
 * (an RSA public key as an HMAC secret, say). A key whose own `alg` names another algorithm is
 * refused: it is meant for that one only (RFC 7517 §4.4).
 */
async function importKey(jwk: JWK, alg: JwsAlgorithm, use: 'verify' | 'sign'): Promise<Imported> {
  if (jwk.alg !== undefined && jwk.alg !== alg) return { error: new Error(`the key is for ${String(jwk.alg)}, not ${alg}`) }
  if (jwk.use !== undefined && jwk.use !== 'sig') return { error: new Error(`the key is for "${String(jwk.use)}", not for signatures`) }
  const hash = HMAC_HASHES[alg]
  if (hash !== undefined) {
    if (jwk.kty !== 'oct' || typeof jwk.k !== 'string') return { error: new Error(`${alg} needs a symmetric key (kty "oct" with "k")`) }
    const secret = Buffer.from(jwk.k, 'base64url')
    if (secret.length === 0) return { error: new Error('the symmetric key is empty') }
    return { key: await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash }, false, [use]) }
  }
  const key = await importJWK({ ...jwk, ext: false }, alg)
  if (key instanceof Uint8Array) return { error: new Error(`${alg} cannot use a symmetric key`) }
  return { key }
}
