/** Header values as Node reads them: lower-case names, repeated headers as arrays. */
export type Headers = Readonly<Record<string, string | string[] | undefined>>

/**
 * A client request as the pipelines see it, independent of the HTTP server that received it.
 */
export interface GatewayRequest {
  /** Upper-case method: `GET`, `POST`, ... */
  readonly method: string
  /** The path as the client sent it, without the query string. */
  readonly path: string
  /** Route parameters (`/users/{id}` gives `id`), already percent-decoded. */
  readonly params: Readonly<Record<string, string>>
  /** The query string. */
  readonly query: URLSearchParams
  /** The client's headers, lower-case names. */
  readonly headers: Headers
  /** The client's address, for `X-Forwarded-For`. */
  readonly remoteAddress: string
  /** The body the client sent, when the route reads one. */
  readonly body?: Buffer
}
