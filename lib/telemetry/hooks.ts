import type { IncomingHttpHeaders } from 'node:http'
import type { GatewayRequest } from '../request.js'
import type { BackendTelemetryOptions, EndpointTelemetryOptions } from './settings.js'

/**
 * Where the gateway tells its telemetry what happens: a small interface, so that the request path
 * pays one property read when telemetry is off (`TELEMETRY_OFF`: `on` is false, and no route,
 * request or call gets an object). Each level is compiled once: the gateway's (`route`), an
 * endpoint's (`EndpointTelemetry`, at start-up), a backend's within an endpoint (on its first
 * call); per request and per call only the measuring is left.
 *
 * @example
 * const route = telemetry.route('GET', '/users/{id}')    // at start-up
 * const run = route?.begin(request)                        // a request's pipeline starts
 * const call = run?.call(backendKey, () => ({ method: 'GET', urlPattern: '/users/{id}', host: 'http://users' }))
 * call?.delivered(); run?.settled(true, false, false); run?.closed(200)
 * telemetry.exchangeEnded(route, 'GET', 200, 0.004)
 */
export interface Telemetry {
  readonly on: boolean
  /** A route's telemetry, compiled once; undefined when nothing is reported for it. */
  route(method: string, path: string, options?: EndpointTelemetryOptions): EndpointTelemetry | undefined
  /** How many requests are being answered now, read when the metrics are collected (the server's own count). */
  observeActive(read: () => number): void
  /** A request's exchange closed: `route` is undefined when no endpoint took it (404, a redirect, a middleware's own answer). */
  exchangeEnded(route: EndpointTelemetry | undefined, method: string, status: number, seconds: number, path?: string): void
  /** Starts the exporters (the Prometheus port, the OTLP readers): before the gateway listens. */
  start(): Promise<void>
  /** Flushes and stops them: after the gateway's requests have drained. */
  shutdown(): Promise<void>
}

/** One route's telemetry, compiled at start-up. */
export interface EndpointTelemetry {
  /** KrakenD's name of the route: `/users/:id`. */
  readonly route: string
  /** A request's run of the route's pipeline starts: undefined when neither its metrics nor its traces are on. */
  begin(request: GatewayRequest): RunTelemetry | undefined
  /** The global layer: one exchange of this route closed. */
  exchanged(status: number, seconds: number): void
}

/** What a backend call is, for its attributes. */
export interface BackendDescription {
  readonly method: string
  /** As declared: `/users/{id}`. */
  readonly urlPattern: string
  /** The backend's host, or its hosts joined by `_` as KrakenD names a balanced backend. */
  readonly host: string
  /** The backend's own `telemetry/opentelemetry` block. */
  readonly options?: BackendTelemetryOptions | undefined
}

/** One request's run, from its pipeline's start to its exchange's close. */
export interface RunTelemetry {
  /** The client went away before the answer: calls cut from now on were cancelled, not timed out. */
  readonly cancelled: boolean
  /** The pipeline's first outcome answered (once; later calls are ignored). */
  settled(complete: boolean, errored: boolean, cancelled: boolean): void
  /** The exchange closed with this status. */
  closed(status: number): void
  /**
   * A backend call starts. `key` identifies the backend (the same object on every call): its
   * attributes are compiled on its first call within this route, from `describe()`.
   */
  call(key: object, describe: () => BackendDescription): CallTelemetry | undefined
}

/** One backend call. */
export interface CallTelemetry {
  /** The headers to send: the call's `traceparent` (and the client's `tracestate`) added when traced. */
  headers(headers: Readonly<Record<string, string>>, url: string): Readonly<Record<string, string>>
  /** The final answer's head arrived (after redirects). */
  responded(status: number, headers: IncomingHttpHeaders): void
  delivered(): void
  failed(error: unknown): void
  /** Unsubscribed before its end: timed out, or cancelled when the client went away. */
  aborted(): void
}

/** Telemetry off: what every gateway has unless it is given some. */
export const TELEMETRY_OFF: Telemetry = {
  on: false,
  route: () => undefined,
  observeActive: () => {},
  exchangeEnded: () => {},
  start: async () => {},
  shutdown: async () => {},
}
