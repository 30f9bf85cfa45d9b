import { from, mergeMap } from 'rxjs'
import { callSource, perRequest } from '../../operators/per-request.js'
import { ErrorCodes, RxgateError } from '../errors.js'
import { withBackendHeaders } from './backend-headers.js'
import { ClientCredentialsTokens } from './oauth2-token.js'
import type { BackendMiddleware, BackendSource, MiddlewareContext, MiddlewareDefinition } from './types.js'

/** The `auth/client-credentials` block of a backend, as KrakenD documents it. */
export interface ClientCredentialsOptions {
  readonly client_id: string
  readonly client_secret: string
  /** The token endpoint. */
  readonly token_url: string
  /** The scopes asked for, comma-separated: `"scopeA,scopeB"`. */
  readonly scopes?: string
  /** More fields of the token request, each with its values: `{ "audience": ["api"] }`. */
  readonly endpoint_params?: Readonly<Record<string, readonly string[]>>
  /** The backend request's header that carries the token. Default `Authorization`. */
  readonly auth_header_name?: string
  /** Turns the namespace off. */
  readonly is_disabled?: boolean
}

/**
 * `auth/client-credentials`: the backend is called with an OAuth2 access token that the gateway
 * gets for itself from `token_url` (the client-credentials grant, RFC 6749 §4.4), as KrakenD does:
 * `Authorization: Bearer <token>` on this backend's requests only, the token asked for when first
 * needed, kept until 10 s before it expires and asked for once by however many requests need a new
 * one. A token endpoint that fails fails this backend's call (`RXGATE_ERR_BACKEND_TOKEN`).
 *
 * @example
 * const orders = clientCredentials({ client_id: 'gateway', client_secret: 's3cr3t', token_url: 'https://idp.example/token' })(
 *   backend('https://orders.internal/orders'),
 * )
 */
export function clientCredentials(options: ClientCredentialsOptions, context: Partial<MiddlewareContext> = {}): BackendMiddleware {
  if (options.is_disabled) return (source) => source
  const at = context.at ?? 'auth/client-credentials'
  if (!options.token_url || !/^https?:\/\//i.test(options.token_url)) {
    throw new RxgateError(ErrorCodes.BAD_PLUGIN, `auth/client-credentials of ${at}: token_url must be an http(s) URL`, { at })
  }
  const tokens = new ClientCredentialsTokens({
    tokenUrl: options.token_url,
    clientId: options.client_id ?? '',
    clientSecret: options.client_secret ?? '',
    scopes: (options.scopes ?? '').split(',').filter((scope) => scope !== ''),
    params: options.endpoint_params ?? {},
  })
  const header = (options.auth_header_name || 'Authorization').toLowerCase()
  return (source: BackendSource) =>
    perRequest((request) => {
      const credentials = tokens.current()
      if (credentials !== undefined) return callSource(source, withBackendHeaders(request, { [header]: credentials }))
      return from(tokens.renew()).pipe(mergeMap((renewed) => callSource(source, withBackendHeaders(request, { [header]: renewed }))))
    })
}

export const clientCredentialsDefinition: MiddlewareDefinition = {
  namespace: 'auth/client-credentials',
  backend: clientCredentials,
}
