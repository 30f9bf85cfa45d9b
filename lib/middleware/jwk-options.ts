import { readFileSync } from 'node:fs'
import type { AuthTls } from './auth-http.js'
import type { JwkSetSource } from './jwk-set.js'

/** Where a validator or a signer finds its keys: the keys `auth/validator` and `auth/signer` share. */
export interface JwkSourceOptions {
  /** The URL of a JWK set (RFC 7517 §5): `https://` unless `disable_jwk_security`. */
  readonly jwk_url?: string
  /** A JWK set in a file; wins over `jwk_url`. */
  readonly jwk_local_path?: string
  /** Plain HTTP allowed for `jwk_url`, and its certificate not verified. */
  readonly disable_jwk_security?: boolean
  /** Base64 SHA-256 digests of public keys one of the JWK server's certificates must have. */
  readonly jwk_fingerprints?: readonly string[]
  /** Go's TLS cipher suite numbers for the JWK server. */
  readonly cipher_suites?: readonly number[]
  /** A PEM file of CA certificates trusted, besides the system's, for the JWK server. */
  readonly jwk_local_ca?: string
  /** Encrypted JWK files (KrakenD's KMS integration): refused, rxgate reads plain JWK sets only. */
  readonly secret_url?: string
  readonly cypher_key?: string
}

/**
 * The TLS settings of a JWK URL. Reads `jwk_local_ca` now, at start-up: a file that cannot be read
 * throws here rather than fail every fetch.
 *
 * @example
 * jwkTls({ jwk_url: 'https://idp/jwks.json', jwk_fingerprints: ['47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU='] })
 */
export function jwkTls(options: JwkSourceOptions): AuthTls {
  let localCa: string | undefined
  if (options.jwk_local_ca) {
    try {
      localCa = readFileSync(options.jwk_local_ca, 'utf8')
    } catch (error) {
      throw new Error(`cannot read jwk_local_ca ${options.jwk_local_ca}: ${(error as Error).message}`)
    }
  }
  return {
    ...(options.cipher_suites?.length ? { cipherSuites: options.cipher_suites } : {}),
    ...(options.jwk_fingerprints?.length ? { fingerprints: options.jwk_fingerprints } : {}),
    ...(localCa === undefined ? {} : { localCa }),
    ...(options.disable_jwk_security ? { insecure: true } : {}),
  }
}

/**
 * Where the keys come from: `jwk_local_path` (it wins, as in KrakenD), else `jwk_url`, which must
 * be `https://` unless `disable_jwk_security` says otherwise. Throws what makes the block unusable.
 */
export function jwkSource(
  options: JwkSourceOptions,
  cache: { readonly maxAge: number; readonly cooldown: number; readonly tls: AuthTls },
): JwkSetSource {
  if (options.secret_url || options.cypher_key) {
    throw new Error('encrypted JWK files (secret_url, cypher_key) are not supported: decrypt the file and name it in jwk_local_path')
  }
  if (options.jwk_local_path) return { path: options.jwk_local_path }
  const url = options.jwk_url
  if (!url) throw new Error('needs jwk_url or jwk_local_path: where the keys are')
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new Error(`jwk_url ${JSON.stringify(url)} is not a URL`)
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error(`jwk_url ${JSON.stringify(url)} is not an http(s) URL`)
  if (parsed.protocol === 'http:' && !options.disable_jwk_security) {
    throw new Error(`jwk_url ${JSON.stringify(url)} is plain HTTP: use https://, or set disable_jwk_security to true`)
  }
  return { url, tls: cache.tls, maxAge: cache.maxAge, cooldown: cache.cooldown }
}
