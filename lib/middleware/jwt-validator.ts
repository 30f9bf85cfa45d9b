import { compactVerify } from 'jose'
import { from, mergeMap, of, throwError, type Observable } from 'rxjs'
import { toMilliseconds } from '../../operators/duration.js'
import { parseJson } from '../codec/parse-json.js'
import { ErrorCodes, RxgateError } from '../errors.js'
import type { Logger } from '../logger.js'
import type { GatewayRequest } from '../request.js'
import type { Pipeline } from '../router/endpoint.js'
import { bearerToken } from './bearer-token.js'
import { headerText } from './header-text.js'
import { JwkSet, tokenKeyId, type KeyIdStrategy, type KeyLookup } from './jwk-set.js'
import { JWS_ALGORITHMS, type JwkKey, type JwsAlgorithm } from './jwk-keys.js'
import { RemoteJwks } from './jwk-remote.js'
import { claimReader, claimText, hasAnyRole, hasScopes, type ClaimReader } from './jwt-claims.js'
import { registeredClaims, timeProblem } from './jwt-registered-claims.js'
import { jwkTls, jwkSource, type JwkSourceOptions } from './jwk-options.js'
import type { EndpointMiddleware, MiddlewareContext, MiddlewareDefinition, ServerMiddleware } from './types.js'
import { VerifiedTokens, type VerifiedToken } from './verified-tokens.js'

/** The `auth/validator` block of an endpoint, as KrakenD documents it (snake_case keys). */
export interface JwtValidatorOptions extends JwkSourceOptions {
  /** The algorithm tokens must be signed with; any other is refused. Default `RS256`. */
  readonly alg?: JwsAlgorithm
  /** Keep the JWK URL's keys `cache_duration` seconds (default 900); without it they are fetched for every request. */
  readonly cache?: boolean
  readonly cache_duration?: number
  /** A key id the set lacks, or a failed fetch, asks the JWK server again at most once per this long. Default `1s`. */
  readonly failed_jwk_key_cooldown?: string
  /** Every one of these must be in the token's `aud`. */
  readonly audience?: readonly string[]
  /** The token's `iss` must be this. */
  readonly issuer?: string
  /** One of these must be in the token's roles (403 otherwise). */
  readonly roles?: readonly string[]
  /** The claim holding the roles. Default `roles`. */
  readonly roles_key?: string
  /** `roles_key` is a dotted path (`resource_access.api.roles`). */
  readonly roles_key_is_nested?: boolean
  /** Scopes required, `any` or `all` of them (`scopes_matcher`), from the claim `scopes_key` (403 otherwise). */
  readonly scopes?: readonly string[]
  readonly scopes_key?: string
  readonly scopes_matcher?: 'any' | 'all'
  /** The cookie holding the token when the header has none. Default `access_token`. */
  readonly cookie_key?: string
  /** The header holding `Bearer <token>`. Default `Authorization`. */
  readonly auth_header_name?: string
  /** `[claim, header]` pairs: the claim's value goes to every backend call in that header. */
  readonly propagate_claims?: readonly (readonly string[])[]
  /** A list claim goes as the header's several values rather than one comma-joined value. */
  readonly propagate_claims_preserve_array?: boolean
  /** How a token names its key: `kid` (default), `x5t`, `x5t#S256`, `kid_x5t`. */
  readonly key_identify_strategy?: KeyIdStrategy
  /** Clock skew allowed on `exp`, `nbf`, `iat`, in whole seconds, at least one. Default `1s`. */
  readonly leeway?: string
  /** Log every rejection at error level, with its reason. */
  readonly operation_debug?: boolean
}

/** The service's `auth/validator` block: the JWK client's shared cache. */
export interface SharedJwkCacheOptions {
  /** Seconds a fetched JWK set serves every endpoint that names its URL. */
  readonly shared_cache_duration?: number
}

/** How long a request waits for a JWK set being fetched before it is refused. */
const KEY_WAIT = 1_000
/** A token longer than this is refused unread. */
const MAX_TOKEN_LENGTH = 32 * 1024
/** KrakenD's default `cache_duration`: 15 minutes. */
const DEFAULT_CACHE_SECONDS = 900
const DEFAULT_COOLDOWN = 1_000

/**
 * `auth/validator`: only requests with a valid JWT reach the endpoint's backends, as KrakenD's
 * JWT validator (krakend-jose) decides. The token comes from `Authorization: Bearer ...` (or
 * `auth_header_name`), else the `cookie_key` cookie; it must be a JWS signed with `alg` by a key
 * of the JWK set (`jwk_local_path`, or `jwk_url` with `cache`), named by `kid` (or
 * `key_identify_strategy`), unexpired within `leeway`, with the `issuer` and every `audience` asked
 * for. 401 otherwise, with `WWW-Authenticate: Bearer` (RFC 6750). Then `roles` and `scopes`: 403
 * when the token lacks them. The claims go to `request.context.claims` (`{JWT.sub}` in backend
 * URLs reads them) and `propagate_claims` to the backend calls' headers.
 *
 * @example
 * const guard = jwtValidator({ alg: 'RS256', jwk_url: 'https://idp.example/.well-known/jwks.json', cache: true, roles: ['admin'] })
 * gw.get('/admin/users', guard(pipe(fanOut({ users }), timeoutEach('1s'), merge())))
 */
export function jwtValidator(options: JwtValidatorOptions, context: Partial<MiddlewareContext> = {}): EndpointMiddleware {
  const validator = new JwtValidator(options, context)
  return (pipeline: Pipeline) => (request$: Observable<GatewayRequest>) =>
    request$.pipe(
      mergeMap((request) => {
        const verdict = validator.check(request)
        return verdict instanceof Promise ? from(verdict).pipe(mergeMap((settled) => admit(settled, request, pipeline))) : admit(verdict, request, pipeline)
      }),
    )
}

function admit(verdict: VerifiedToken | RxgateError, request: GatewayRequest, pipeline: Pipeline): Observable<unknown> {
  if (verdict instanceof RxgateError) return throwError(() => verdict)
  return pipeline(of(request))
}

/**
 * The service's `auth/validator`: sets the shared cache of the process's JWK URLs (KrakenD's
 * `shared_cache_duration`, in seconds) and otherwise lets every request through.
 *
 * @example
 * gw.use(sharedJwkCache({ shared_cache_duration: 900 }))
 */
export function sharedJwkCache(options: SharedJwkCacheOptions): ServerMiddleware {
  RemoteJwks.shareFor(Math.max(0, options.shared_cache_duration ?? 0) * 1000)
  return (next) => next
}

export const jwtValidatorDefinition: MiddlewareDefinition = {
  namespace: 'auth/validator',
  server: sharedJwkCache,
  endpoint: jwtValidator,
}

/** One endpoint's validator: everything its options say, compiled once. */
class JwtValidator {
  private readonly alg: JwsAlgorithm
  private readonly keys: JwkSet
  private readonly strategy: KeyIdStrategy
  private readonly findToken: ReturnType<typeof bearerToken>
  private readonly leeway: number
  private readonly issuer: string | undefined
  private readonly audience: readonly string[]
  private readonly roles: readonly string[]
  private readonly readRoles: ClaimReader
  private readonly scopes: readonly string[]
  private readonly readScopes: ClaimReader
  private readonly scopesMatcher: 'any' | 'all'
  private readonly propagated: readonly { readonly read: ClaimReader; readonly header: string }[]
  private readonly preserveArrays: boolean
  private readonly logger: Logger | undefined
  private readonly at: string
  private readonly debug: boolean
  private readonly tokens = VerifiedTokens.shared

  constructor(options: JwtValidatorOptions, context: Partial<MiddlewareContext>) {
    this.at = context.at ?? 'auth/validator'
    this.logger = context.logger
    this.alg = options.alg ?? 'RS256'
    if (!JWS_ALGORITHMS.includes(this.alg)) throw setupError(this.at, `alg ${JSON.stringify(this.alg)} is not one of ${JWS_ALGORITHMS.join(', ')}`)
    if (options.scopes?.length && !options.scopes_key) throw setupError(this.at, 'scopes need scopes_key, the claim that holds them')
    this.strategy = options.key_identify_strategy ?? 'kid'
    const cooldown = options.failed_jwk_key_cooldown ? Math.max(toMilliseconds(options.failed_jwk_key_cooldown), DEFAULT_COOLDOWN) : DEFAULT_COOLDOWN
    const maxAge = options.cache ? (options.cache_duration || DEFAULT_CACHE_SECONDS) * 1000 : 0
    try {
      this.keys = new JwkSet(jwkSource(options, { maxAge, cooldown, tls: jwkTls(options) }), this.alg, this.strategy, 'verify')
    } catch (error) {
      throw setupError(this.at, (error as Error).message)
    }
    this.findToken = bearerToken({ header: options.auth_header_name, cookie: options.cookie_key })
    // whole seconds, at least one (KrakenD's rounding)
    this.leeway = Math.max(1, Math.round(toMilliseconds(options.leeway ?? '1s') / 1000)) * 1000
    this.issuer = options.issuer || undefined
    this.audience = options.audience ?? []
    this.roles = options.roles ?? []
    const rolesKey = options.roles_key || 'roles'
    this.readRoles = claimReader(rolesKey, options.roles_key_is_nested === true && !rolesKey.startsWith('http'))
    this.scopes = options.scopes ?? []
    this.readScopes = claimReader(options.scopes_key ?? '', true)
    this.scopesMatcher = options.scopes_matcher === 'all' ? 'all' : 'any'
    this.propagated = (options.propagate_claims ?? []).map(([claim = '', header = '']) => ({
      read: claimReader(claim, !claim.startsWith('http')),
      header,
    }))
    this.preserveArrays = options.propagate_claims_preserve_array === true
    this.debug = options.operation_debug === true
  }

  /** A request's verdict: its token verified and authorized (its context filled in), or the rejection. */
  check(request: GatewayRequest): VerifiedToken | RxgateError | Promise<VerifiedToken | RxgateError> {
    const found = this.findToken(request.headers)
    if (found === undefined) return this.refuse(401, 'a bearer token is required', 'missing')
    const { token } = found
    if (token.length > MAX_TOKEN_LENGTH) return this.refuse(401, 'the token is malformed', `longer than ${MAX_TOKEN_LENGTH} characters`)
    const cached = this.tokens.get(token)
    let looked: { readonly key: KeyLookup } | undefined
    if (cached !== undefined && cached.header.alg === this.alg) {
      looked = { key: this.keys.lookup(tokenKeyId(cached.header, this.strategy)) }
      if (looked.key === cached.key) return this.authorize(request, token, cached)
    }
    return this.verify(token, looked).then((verified) => (verified instanceof RxgateError ? verified : this.authorize(request, token, verified)))
  }

  /**
   * The signature, once per token: the header read, its key found (fetched if need be, or the
   * lookup already made for it), the payload parsed.
   */
  private async verify(token: string, looked?: { readonly key: KeyLookup }): Promise<VerifiedToken | RxgateError> {
    const header = protectedHeader(token)
    if (header === undefined) return this.refuse(401, 'the token is malformed', 'not a compact JWS')
    if (header.alg !== this.alg) return this.refuse(401, `the token is not signed with ${this.alg}`, `alg ${String(header.alg)}`)
    const id = tokenKeyId(header, this.strategy)
    let key: JwkKey | undefined
    try {
      key = await withinKeyWait(looked ? looked.key : this.keys.lookup(id))
    } catch (error) {
      this.logger?.warn({ err: error, endpoint: this.at, jwk: this.keys.origin }, 'auth/validator: the JWK set could not be loaded')
      return this.refuse(401, "the token's key could not be loaded", (error as Error).message)
    }
    if (key === undefined) return this.refuse(401, "the token's key is not known", `no key ${JSON.stringify(id)} in ${this.keys.origin}`)
    const cached = this.tokens.get(token)
    if (cached !== undefined && cached.key === key && cached.header.alg === this.alg) return cached
    const imported = await key.load()
    if ('error' in imported) {
      this.logger?.warn({ err: imported.error, endpoint: this.at, kid: id }, 'auth/validator: a key of the JWK set cannot be used')
      return this.refuse(401, "the token's key cannot verify it", imported.error.message)
    }
    let payload: Uint8Array
    try {
      ;({ payload } = await compactVerify(token, imported.key, { algorithms: [this.alg] }))
    } catch (error) {
      const forged = (error as { code?: string }).code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'
      return this.refuse(401, forged ? "the token's signature is invalid" : 'the token is malformed', (error as Error).message)
    }
    let claims: unknown
    try {
      claims = parseJson(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength))
    } catch {
      return this.refuse(401, 'the token is malformed', 'its payload is not JSON')
    }
    if (!isObject(claims)) return this.refuse(401, 'the token is malformed', 'its payload is not a JSON object')
    const registered = registeredClaims(claims)
    if (typeof registered === 'string') return this.refuse(401, 'the token is malformed', registered)
    const verified: VerifiedToken = { header, claims: deepFreeze(claims), registered, key }
    this.tokens.set(token, verified)
    return verified
  }

  /** The checks of every request: time, issuer, audience, roles, scopes; then the context. */
  private authorize(request: GatewayRequest, token: string, verified: VerifiedToken): VerifiedToken | RxgateError {
    const { claims, registered } = verified
    const late = timeProblem(registered, Date.now(), this.leeway)
    if (late !== undefined) {
      if (late === 'the token has expired') this.tokens.delete(token)
      return this.refuse(401, late, late)
    }
    if (this.issuer !== undefined && registered.issuer !== this.issuer) {
      return this.refuse(401, "the token's issuer is not accepted", `iss ${JSON.stringify(registered.issuer)}`)
    }
    if (!this.audience.every((audience) => registered.audience.includes(audience))) {
      return this.refuse(401, "the token's audience is not accepted", `aud ${JSON.stringify(registered.audience)}`)
    }
    if (!hasAnyRole(this.readRoles(claims), this.roles)) {
      return this.refuse(403, "the token's roles do not allow this endpoint", 'roles', { required: this.roles, claims })
    }
    if (!hasScopes(this.readScopes(claims), this.scopes, this.scopesMatcher)) {
      return this.refuse(403, "the token's scopes do not allow this endpoint", 'scopes', { required: this.scopes, claims })
    }
    const context = request.context
    context.claims = claims
    for (const { read, header } of this.propagated) context.addBackendHeader(header, this.propagatedValue(read(claims)))
    return verified
  }

  /**
   * A claim as its header's value. A claim the token lacks sends the header empty, so that a
   * client's own header of that name never passes for the claim.
   */
  private propagatedValue(claim: unknown): string {
    if (this.preserveArrays && Array.isArray(claim)) return claim.map((item) => headerText(claimText(item) ?? '')).join(', ')
    return headerText(claimText(claim) ?? '')
  }

  private refuse(status: 401 | 403, message: string, reason: string, facts: Record<string, unknown> = {}): RxgateError {
    const description = challengeText(message.replaceAll('"', "'"))
    const challenge =
      status === 403
        ? `Bearer error="insufficient_scope", error_description="${description}"${reason === 'scopes' ? `, scope="${challengeText(this.scopes.join(' '))}"` : ''}`
        : reason === 'missing'
          ? 'Bearer'
          : `Bearer error="invalid_token", error_description="${description}"`
    const details = { endpoint: this.at, reason, ...facts }
    if (this.debug) this.logger?.error(details, `auth/validator: ${message}`)
    else this.logger?.debug(details, `auth/validator: ${message}`)
    return new RxgateError(status === 401 ? ErrorCodes.UNAUTHORIZED : ErrorCodes.FORBIDDEN, message, details, {
      headers: { 'WWW-Authenticate': challenge },
    })
  }
}

/** Text as RFC 6750 allows it in a challenge's quoted values: printable ASCII, but for the quote and the backslash. */
function challengeText(text: string): string {
  return text.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '')
}

/** A lookup, or `undefined` (no key) when the JWK set takes longer than a request may wait for it. */
function withinKeyWait(lookup: KeyLookup): KeyLookup {
  if (!(lookup instanceof Promise)) return lookup
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`the JWK set did not arrive within ${KEY_WAIT} ms`)), KEY_WAIT)
  })
  return Promise.race([lookup, late]).finally(() => clearTimeout(timer))
}

/** The protected header of a compact JWS (three base64url parts), or `undefined` when it is not one. */
function protectedHeader(token: string): Record<string, unknown> | undefined {
  const first = token.indexOf('.')
  const second = token.indexOf('.', first + 1)
  if (first <= 0 || second < 0 || token.indexOf('.', second + 1) >= 0) return undefined
  try {
    const header: unknown = JSON.parse(Buffer.from(token.slice(0, first), 'base64url').toString('utf8'))
    return isObject(header) ? header : undefined
  } catch {
    return undefined
  }
}

/** Freezes a parsed payload all the way down, so that no stage can change what other requests share. */
function deepFreeze<T>(value: T): T {
  const pending: unknown[] = [value]
  while (pending.length > 0) {
    const item = pending.pop()
    if (typeof item !== 'object' || item === null || Object.isFrozen(item)) continue
    Object.freeze(item)
    for (const child of Object.values(item)) pending.push(child)
  }
  return value
}

function setupError(at: string, message: string): RxgateError {
  return new RxgateError(ErrorCodes.BAD_PLUGIN, `auth/validator of ${at}: ${message}`, { at })
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}


