import type { Claims } from './jwt-claims.js'

/**
 * A token's registered claims (RFC 7519 §4.1), read and type-checked once, as go-jose reads them
 * into its `jwt.Claims`: `iss`, `sub`, `jti` strings, `aud` a string or a list of strings, `exp`,
 * `nbf`, `iat` numbers of seconds (whole seconds: the fraction is dropped). `null` is absent.
 */
export interface RegisteredClaims {
  readonly issuer: string | undefined
  readonly audience: readonly string[]
  /** Milliseconds since the epoch. */
  readonly expiresAt: number | undefined
  readonly notBefore: number | undefined
  readonly issuedAt: number | undefined
}

/**
 * The registered claims of a payload, or what is wrong with them.
 *
 * @example
 * registeredClaims({ sub: 'ada', aud: 'api', exp: 1700000000.9 })
 * // { issuer: undefined, audience: ['api'], expiresAt: 1700000000000, notBefore: undefined, issuedAt: undefined }
 * registeredClaims({ exp: '2030-01-01' }) // 'its "exp" claim is not a number'
 */
export function registeredClaims(claims: Claims): RegisteredClaims | string {
  for (const name of ['iss', 'sub', 'jti']) {
    const value = claims[name]
    if (value !== undefined && value !== null && typeof value !== 'string') return `its "${name}" claim is not a string`
  }
  const aud = claims.aud
  let audience: readonly string[] = []
  if (typeof aud === 'string') audience = [aud]
  else if (Array.isArray(aud)) {
    if (!aud.every((item) => typeof item === 'string')) return 'its "aud" claim is not a string or a list of strings'
    audience = aud as string[]
  } else if (aud !== undefined && aud !== null) return 'its "aud" claim is not a string or a list of strings'
  const times: (number | undefined)[] = []
  for (const name of ['exp', 'nbf', 'iat']) {
    const value = claims[name]
    if (value === undefined || value === null) times.push(undefined)
    else if (typeof value !== 'number' || !Number.isFinite(value)) return `its "${name}" claim is not a number`
    else times.push(Math.trunc(value) * 1000)
  }
  const issuer = typeof claims.iss === 'string' ? claims.iss : undefined
  return { issuer, audience, expiresAt: times[0], notBefore: times[1], issuedAt: times[2] }
}

/**
 * Why a token is not valid at `now` (milliseconds), with `leeway` milliseconds of clock skew
 * allowed either way, as go-jose's `ValidateWithLeeway`: expired, not valid yet, or issued in the
 * future; `undefined` when it is valid. A token without `exp` does not expire.
 *
 * @example
 * const claims = registeredClaims({ exp: 1000 }) as RegisteredClaims
 * timeProblem(claims, 1_000_500, 1000) // undefined: within the leeway
 * timeProblem(claims, 1_002_000, 1000) // 'the token has expired'
 */
export function timeProblem(claims: RegisteredClaims, now: number, leeway: number): string | undefined {
  if (claims.expiresAt !== undefined && now - leeway > claims.expiresAt) return 'the token has expired'
  if (claims.notBefore !== undefined && now + leeway < claims.notBefore) return 'the token is not valid yet'
  if (claims.issuedAt !== undefined && now + leeway < claims.issuedAt) return 'the token was issued in the future'
  return undefined
}
