import type { Connections } from './backend/connections.js'
import type { RunTelemetry } from './telemetry/hooks.js'

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
  /**
   * What the stages of this request add for the ones after them: the validated token's claims,
   * headers for every backend call, headers for the answer. One object per request, shared by
   * every copy of the request (`{ ...request, params }` keeps it).
   */
  readonly context: RequestContext
  /** The backend connections of the gateway serving the request; backends called without one share a process-wide set. */
  readonly [CONNECTIONS]?: Connections
}

/**
 * A request's context: written by the stages that learn something (a JWT validator, a CORS
 * middleware), read by the ones after them (the backend calls, the renderer). Made for every
 * request, so it holds nothing until something is added.
 *
 * @example
 * request.context.claims = { sub: 'ada', roles: ['admin'] }
 * request.context.addBackendHeader('x-user', 'ada')   // on every backend call of the request
 * request.context.addResponseHeader('x-ratelimit-remaining', '9')
 */
export class RequestContext {
  /** The claims of the request's validated token (`auth/validator`), read by `{JWT.x}` placeholders. */
  claims: Readonly<Record<string, unknown>> | undefined = undefined
  /** Headers (lower-case names) every backend call of the request carries, over the forwarded ones. */
  backendHeaders: Record<string, string> | undefined = undefined
  /** Headers the answer carries, whatever it is (a failure's too). */
  responseHeaders: Record<string, string> | undefined = undefined
  /** The request's metrics and span, when its endpoint reports any: its backend calls report under it. */
  telemetry: RunTelemetry | undefined = undefined

  addBackendHeader(name: string, value: string): void {
    ;(this.backendHeaders ??= {})[name.toLowerCase()] = value
  }

  addResponseHeader(name: string, value: string): void {
    ;(this.responseHeaders ??= {})[name] = value
  }
}
