import { CompactSign, FlattenedSign, type CryptoKey } from 'jose'
import { from, mergeMap, of, type Observable } from 'rxjs'
import { setField } from '../../operators/fields.js'
import { isMerged } from '../../operators/merge.js'
import { ErrorCodes, RxgateError } from '../errors.js'
import type { Logger } from '../logger.js'
import type { GatewayRequest } from '../request.js'
import type { Pipeline } from '../router/endpoint.js'
import { JWS_ALGORITHMS, type JwkKey, type JwsAlgorithm } from './jwk-keys.js'
import { jwkSource, jwkTls, type JwkSourceOptions } from './jwk-options.js'
import { JwkSet } from './jwk-set.js'
import type { EndpointMiddleware, MiddlewareContext, MiddlewareDefinition } from './types.js'

/** The `auth/signer` block of an endpoint, as KrakenD documents it. */
export interface JwtSignerOptions extends JwkSourceOptions {
  /** The signing algorithm. */
  readonly alg: JwsAlgorithm
  /** The id of the signing key in the JWK set; the tokens' headers name it. */
  readonly kid: string
  /** The top-level keys of the answer whose object values become signed tokens. */
  readonly keys_to_sign: readonly string[]
  /** JWS JSON serialization (RFC 7515 §7.2.2, flattened) rather than the compact form. */
  readonly full?: boolean
  /** Accepted as KrakenD's schema lists it; signing has no clock to skew. */
  readonly leeway?: string
}

/** A JWK set whose keys are kept once fetched: signing keys do not rotate under a running gateway (KrakenD loads them once). */
const KEEP = Number.POSITIVE_INFINITY
const COOLDOWN = 1_000

/**
 * `auth/signer`: signs the listed keys of the endpoint's answer, so that a login endpoint whose
 * backend returns the claims of a token (`{"access_token": {"sub": "ada", "exp": ...}}`) answers
 * with the signed token (`{"access_token": "eyJhbGci..."}`), as KrakenD's JWT signer does. Only
 * object values are signed (a key that is absent or holds anything else is left as it is), with
 * the key `kid` of `jwk_local_path` or `jwk_url`, compact unless `full`. The answer is a new
 * value; a key that cannot be loaded fails the request (500), never an unsigned answer.
 *
 * @example
 * const login = jwtSigner({ alg: 'HS256', kid: 'sim2', keys_to_sign: ['access_token'], jwk_local_path: './jwk_private.json' })
 * gw.post('/token', login(pipe(fanOut({ issuer }), timeoutEach('1s'), merge())))
 */
export function jwtSigner(options: JwtSignerOptions, context: Partial<MiddlewareContext> = {}): EndpointMiddleware {
  const signer = new JwtSigner(options, context)
  return (pipeline: Pipeline) => (request$: Observable<GatewayRequest>) => pipeline(request$).pipe(mergeMap((answer) => signer.signAnswer(answer)))
}

export const jwtSignerDefinition: MiddlewareDefinition = {
  namespace: 'auth/signer',
  endpoint: jwtSigner,
}

class JwtSigner {
  private readonly keys: JwkSet
  private readonly alg: JwsAlgorithm
  private readonly kid: string
  private readonly keysToSign: readonly string[]
  private readonly full: boolean
  private readonly at: string
  private readonly logger: Logger | undefined

  constructor(options: JwtSignerOptions, context: Partial<MiddlewareContext>) {
    this.at = context.at ?? 'auth/signer'
    this.logger = context.logger
    this.alg = options.alg
    if (!JWS_ALGORITHMS.includes(this.alg)) throw setupError(this.at, `alg ${JSON.stringify(this.alg)} is not one of ${JWS_ALGORITHMS.join(', ')}`)
    if (typeof options.kid !== 'string') throw setupError(this.at, 'needs kid, the id of the signing key in the JWK set')
    this.kid = options.kid
    this.keysToSign = options.keys_to_sign ?? []
    this.full = options.full === true
    try {
      this.keys = new JwkSet(jwkSource(options, { maxAge: KEEP, cooldown: COOLDOWN, tls: jwkTls(options) }), this.alg, 'kid', 'sign')
    } catch (error) {
      throw setupError(this.at, (error as Error).message)
    }
    // A file's key is there or not now: say so at start-up rather than on the first login.
    if (options.jwk_local_path && this.keys.lookup(this.kid) === undefined) {
      throw setupError(this.at, `the key ${JSON.stringify(this.kid)} is not in ${options.jwk_local_path}`)
    }
  }

  /** The answer with its keys signed: the same answer when there is nothing to sign. */
  signAnswer(answer: unknown): Observable<unknown> {
    const data = isMerged(answer) ? answer.data : answer
    if (!isObject(data) || !this.keysToSign.some((key) => Object.hasOwn(data, key) && isObject(data[key]))) return of(answer)
    return from(this.signed(data)).pipe(mergeMap((signedData) => of(isMerged(answer) ? { ...answer, data: signedData } : signedData)))
  }

  private async signed(data: Record<string, unknown>): Promise<Record<string, unknown>> {
    const key = await this.signingKey()
    const out: Record<string, unknown> = { ...data }
    for (const name of this.keysToSign) {
      const value = Object.hasOwn(data, name) ? data[name] : undefined
      if (isObject(value)) setField(out, name, await this.sign(value, key))
    }
    return out
  }

  private async signingKey(): Promise<{ key: CryptoKey; jwk: JwkKey }> {
    let jwk: JwkKey | undefined
    try {
      jwk = await this.keys.lookup(this.kid)
    } catch (error) {
      throw this.failure(`the JWK set ${this.keys.origin} could not be loaded: ${(error as Error).message}`, error)
    }
    if (jwk === undefined) throw this.failure(`the key ${JSON.stringify(this.kid)} is not in ${this.keys.origin}`)
    const imported = await jwk.load()
    if ('error' in imported) throw this.failure(`the key ${JSON.stringify(this.kid)} cannot sign: ${imported.error.message}`, imported.error)
    return { key: imported.key, jwk }
  }

  private async sign(claims: Record<string, unknown>, { key, jwk }: { key: CryptoKey; jwk: JwkKey }): Promise<string> {
    const payload = Buffer.from(JSON.stringify(claims))
    const header = { alg: this.alg, kid: typeof jwk.jwk.kid === 'string' ? jwk.jwk.kid : this.kid }
    try {
      if (!this.full) return await new CompactSign(payload).setProtectedHeader(header).sign(key)
      const jws = await new FlattenedSign(payload).setProtectedHeader(header).sign(key)
      // go-jose's FullSerialize order
      return JSON.stringify({ payload: jws.payload, protected: jws.protected, signature: jws.signature })
    } catch (error) {
      throw this.failure(`the key ${JSON.stringify(this.kid)} cannot sign: ${(error as Error).message}`, error)
    }
  }

  private failure(message: string, cause?: unknown): RxgateError {
    this.logger?.error({ endpoint: this.at, err: cause }, `auth/signer: ${message}`)
    return new RxgateError(ErrorCodes.SIGNING, `auth/signer of ${this.at}: ${message}`, { endpoint: this.at }, { cause })
  }
}

function setupError(at: string, message: string): RxgateError {
  return new RxgateError(ErrorCodes.BAD_PLUGIN, `auth/signer of ${at}: ${message}`, { at })
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
