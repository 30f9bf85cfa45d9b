import { parseJson } from '../codec/parse-json.js'
import { ErrorCodes, RxgateError } from '../errors.js'
import { authFetch } from './auth-http.js'

/** What a client-credentials grant asks a token endpoint for (RFC 6749 §4.4). */
export interface ClientCredentialsGrant {
  readonly tokenUrl: string
  readonly clientId: string
  readonly clientSecret: string
  readonly scopes: readonly string[]
  /** More form fields for the token request, each with its values (KrakenD's `endpoint_params`). */
  readonly params: Readonly<Record<string, readonly string[]>>
}

/** An access token and when to stop using it. */
interface Token {
  /** `<type> <token>`: the `Authorization` value. */
  readonly credentials: string
  /** `Date.now()` after which a new token is asked for; `Infinity` for a token that never expires. */
  readonly renewAt: number
}

/** How long one token request may take, all told. */
const TOKEN_FETCH_TIMEOUT = 10_000
/** A token answer larger than this is refused. */
const MAX_TOKEN_BYTES = 64 * 1024
/** A token is renewed this long before it expires (golang.org/x/oauth2's `expiryDelta`). */
const EXPIRY_DELTA = 10_000

/** How each token URL wants the client's credentials, once known (x/oauth2 remembers it per URL too). */
const authStyles = new Map<string, 'header' | 'params'>()

/**
 * A backend's OAuth2 access token, obtained with the client-credentials grant as KrakenD gets it
 * (golang.org/x/oauth2's `clientcredentials`): asked for when first needed, kept until 10 s
 * before it expires (forever when the server says no `expires_in`), and asked for once however
 * many requests need it at that moment. The credentials go in HTTP Basic authentication first and
 * in the form when the server refuses that, as x/oauth2 probes, and the working way is remembered.
 */
export class ClientCredentialsTokens {
  private token: Token | undefined
  private inflight: Promise<string> | undefined

  constructor(private readonly grant: ClientCredentialsGrant) {}

  /**
   * The `Authorization` value while the token is good, else `undefined` (then {@link renew}).
   *
   * @example
   * tokens.current() ?? (await tokens.renew()) // 'Bearer 2YotnFZFEjr1zCsicMWpAA'
   */
  current(): string | undefined {
    const token = this.token
    return token !== undefined && Date.now() < token.renewAt ? token.credentials : undefined
  }

  /** A new token's `Authorization` value; the one request in flight when there is one. */
  renew(): Promise<string> {
    if (this.inflight) return this.inflight
    const inflight = this.request().then((token) => {
      this.token = token
      return token.credentials
    })
    this.inflight = inflight
    const settled = () => {
      if (this.inflight === inflight) this.inflight = undefined
    }
    inflight.then(settled, settled)
    return inflight
  }

  private async request(): Promise<Token> {
    const known = authStyles.get(this.grant.tokenUrl)
    if (known !== undefined) return this.exchange(known)
    try {
      const token = await this.exchange('header')
      authStyles.set(this.grant.tokenUrl, 'header')
      return token
    } catch {
      const token = await this.exchange('params')
      authStyles.set(this.grant.tokenUrl, 'params')
      return token
    }
  }

  private async exchange(style: 'header' | 'params'): Promise<Token> {
    const { tokenUrl, clientId, clientSecret, scopes, params } = this.grant
    const fields: [string, string][] = [['grant_type', 'client_credentials']]
    if (scopes.length > 0) fields.push(['scope', scopes.join(' ')])
    for (const [name, values] of Object.entries(params)) for (const value of values) fields.push([name, value])
    if (style === 'params') fields.push(['client_id', clientId], ['client_secret', clientSecret])
    // url.Values.Encode: sorted by name, values in order
    fields.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }
    if (style === 'header') {
      const pair = `${formEscape(clientId)}:${formEscape(clientSecret)}`
      headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`
    }
    let answer
    try {
      answer = await authFetch(tokenUrl, {
        method: 'POST',
        headers,
        body: new URLSearchParams(fields).toString(),
        timeout: TOKEN_FETCH_TIMEOUT,
        maxBytes: MAX_TOKEN_BYTES,
      })
    } catch (error) {
      throw failure(`the token endpoint ${tokenUrl} could not be reached: ${(error as Error).message}`, { tokenUrl }, error)
    }
    const { status, contentType, body } = answer
    if (status < 200 || status > 299) {
      throw failure(`the token endpoint ${tokenUrl} answered ${status}`, { tokenUrl, status, body: body.subarray(0, 512).toString('utf8') })
    }
    const fieldsOf = readTokenAnswer(contentType, body)
    if (typeof fieldsOf === 'string') throw failure(`the token endpoint ${tokenUrl} ${fieldsOf}`, { tokenUrl, status })
    const type = tokenType(fieldsOf.tokenType)
    return {
      credentials: `${type} ${fieldsOf.accessToken}`,
      renewAt: fieldsOf.expiresIn > 0 ? Date.now() + fieldsOf.expiresIn * 1000 - EXPIRY_DELTA : Number.POSITIVE_INFINITY,
    }
  }
}

/** The fields of a token answer (RFC 6749 §5.1), as JSON or, as some servers send them, a form; or what is wrong. */
function readTokenAnswer(contentType: string, body: Buffer): { accessToken: string; tokenType: string; expiresIn: number } | string {
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase()
  let accessToken: unknown
  let tokenTypeField: unknown
  let expires: unknown
  if (type === 'application/x-www-form-urlencoded' || type === 'text/plain') {
    const form = new URLSearchParams(body.toString('utf8'))
    accessToken = form.get('access_token') ?? ''
    tokenTypeField = form.get('token_type') ?? ''
    expires = Number.parseInt(form.get('expires_in') ?? '', 10) || 0
  } else {
    let json: unknown
    try {
      json = parseJson(body)
    } catch {
      return 'answered with a body that is not JSON'
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'answered with JSON that is not an object'
    const fields = json as Record<string, unknown>
    accessToken = fields.access_token
    tokenTypeField = fields.token_type ?? ''
    expires = fields.expires_in ?? 0
    if (typeof expires === 'string' && /^-?\d+$/.test(expires.trim())) expires = Number(expires)
    if (typeof expires !== 'number' || !Number.isInteger(expires)) return 'answered with an expires_in that is not a whole number'
  }
  if (typeof accessToken !== 'string' || accessToken === '') return 'answered without an access_token'
  return { accessToken, tokenType: typeof tokenTypeField === 'string' ? tokenTypeField : '', expiresIn: expires as number }
}

/** x/oauth2's `Token.Type`: the usual types in their usual case, `Bearer` when none is said. */
function tokenType(type: string): string {
  const lower = type.toLowerCase()
  if (lower === 'bearer' || lower === '') return 'Bearer'
  if (lower === 'mac') return 'MAC'
  if (lower === 'basic') return 'Basic'
  return type
}

/** Go's `url.QueryEscape`, which x/oauth2 applies to the client id and secret before Basic (RFC 6749 §2.3.1). */
function formEscape(text: string): string {
  return new URLSearchParams([['', text]]).toString().slice(1)
}

function failure(message: string, details: Record<string, unknown>, cause?: unknown): RxgateError {
  return new RxgateError(ErrorCodes.BACKEND_TOKEN, message, details, { cause })
}
