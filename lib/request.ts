import type { Connections } from './backend/connections.js'

/** Header values as Node reads them: lower-case names, repeated headers as arrays. */
export type Headers = Readonly<Record<string, string | string[] | undefined>>

/** Where a request carries the backend connections of the gateway serving it (see `Connections`). */
export const CONNECTIONS: unique symbol = Symbol('rxgate.connections') as never

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
  /**
   * The client's IP address: the connection's peer (IPv4 written `127.0.0.1`, never
   * `::ffff:127.0.0.1`), or, with the router's `forwarded_by_client_ip`, the one its trusted
   * proxies report. Backends get it as `X-Forwarded-For`; logs and rate limits use it.
   */
  readonly clientIp: string
  /** The body the client sent, when the route reads one. */
  readonly body?: Buffer
  /** The backend connections of the gateway serving the request; backends called without one share a process-wide set. */
  readonly [CONNECTIONS]?: Connections
}
