import type { Claims } from './jwt-claims.js'
import type { JwkKey } from './jwk-keys.js'
import type { RegisteredClaims } from './jwt-registered-claims.js'

/** A token whose signature was verified: what checking it again needs. */
export interface VerifiedToken {
  /** Its protected header, as decoded. */
  readonly header: Readonly<Record<string, unknown>>
  /** Its payload, frozen: shared by every request that brings the same token. */
  readonly claims: Claims
  readonly registered: RegisteredClaims
  /** The key that verified it: a request is spared the signature only when its endpoint trusts that very key. */
  readonly key: JwkKey
}

/** Tokens kept at most; past that, the oldest go first. */
const MAX_TOKENS = 10_000

/**
 * The tokens verified lately, by their text, for the whole process: a client sends the same token
 * with every request until it expires, and verifying its signature costs 20 to 180 us of CPU
 * (HS256 to EdDSA, Node 20) where a lookup costs well under one. Only the signature and the
 * parsing are spared: each request still checks the time, the issuer, the audience, the roles and
 * the scopes, and that its endpoint trusts the key that verified the token (a key gone from the JWK
 * set, or another endpoint's key, verifies again). Bounded: the oldest entries make room.
 */
export class VerifiedTokens {
  static readonly shared = new VerifiedTokens(MAX_TOKENS)

  private readonly tokens = new Map<string, VerifiedToken>()

  constructor(private readonly capacity: number) {}

  get(token: string): VerifiedToken | undefined {
    return this.tokens.get(token)
  }

  set(token: string, verified: VerifiedToken): void {
    if (this.tokens.size >= this.capacity && !this.tokens.has(token)) {
      // Map keeps insertion order: the first key is the oldest.
      this.tokens.delete(this.tokens.keys().next().value!)
    }
    this.tokens.set(token, verified)
  }

  /** Forgets a token (expired: it will never verify again). */
  delete(token: string): void {
    this.tokens.delete(token)
  }

  get size(): number {
    return this.tokens.size
  }
}
