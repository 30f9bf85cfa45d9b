import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Source } from '../../operators/fan-out.js'
import type { Logger } from '../logger.js'
import type { KeptState } from './kept-state.js'
import type { RedisPools } from '../redis/pools.js'
import type { Plugins } from '../plugins/plugins.js'
import type { GatewayRequest } from '../request.js'
import type { Pipeline } from '../router/endpoint.js'

/**
 * The three places a middleware sits, each one small function type, as Lura's `Proxy` and
 * `Middleware`: a middleware takes what it wraps and returns the same kind of thing.
 *
 * - **server**: around the HTTP handler, before routing. It sees every request, the raw node
 *   exchange, and may answer by itself (a CORS preflight, a bot refused) by not calling `next`.
 * - **endpoint**: around an endpoint's pipeline. It sees the `GatewayRequest` before the backends
 *   are called and the answer after; a rejection is an `RxgateError` (401, 403, 429, ...).
 * - **backend**: around one backend's source: a circuit breaker, a rate limit, a token fetcher.
 *
 * In code they are plain functions: `gw.use(serverMiddleware)`, `endpointMiddleware(pipeline)`,
 * `backendMiddleware(backend(url))`. From a file, the registry (`registry.ts`) makes them from
 * their `extra_config` namespaces and wraps them in KrakenD's order.
 */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void

/** Around the HTTP handler, before routing: may answer by itself. */
export type ServerMiddleware = (next: HttpHandler) => HttpHandler

/** Around an endpoint's pipeline. */
export type EndpointMiddleware = (pipeline: Pipeline) => Pipeline

/** A backend as an endpoint's pipeline calls it: an operator from a request to the backend's data. */
export type BackendSource = Source<GatewayRequest, unknown>

/** Around one backend's source. */
export type BackendMiddleware = (source: BackendSource) => BackendSource

/** What every middleware factory of one gateway shares, made once when it is compiled. */
export interface MiddlewareResources {
  readonly logger: Logger
  /** The user plugins the `plugin/*` namespaces find theirs in (`loadPlugins`); none when absent. */
  readonly plugins?: Plugins
  /** The Redis connection pools of the service's `redis` namespace, by name; none when absent. */
  readonly redis?: RedisPools
  /** The state of a compiled file's middlewares, which a reload of the file keeps where their blocks did not change. */
  readonly state?: KeptState
}

/** What a namespace's factory is given besides its block of the configuration. */
export interface MiddlewareContext extends MiddlewareResources {
  /** Where the namespace is written, for messages: `service`, `endpoint /users/{id}`, `backend /users/{id}`. */
  readonly at: string
  /**
   * The middleware's state (its buckets, its breaker): the one it had before the file was
   * reloaded, when its block there was the same at the same place, else made by `make`. Given
   * by the registry to the middlewares of a file; absent in code, where each makes its own.
   */
  readonly keep?: <T>(make: () => T, release?: (value: T) => unknown) => T
}

/**
 * A configuration namespace and the middlewares it makes, one factory per place it may be
 * written (KrakenD's `security/bot-detector`, say, at the service and on an endpoint). Each
 * factory is given the namespace's block as the file has it, checked by the JSON Schema.
 */
export interface MiddlewareDefinition {
  readonly namespace: string
  readonly server?: (options: never, context: MiddlewareContext) => ServerMiddleware
  readonly endpoint?: (options: never, context: MiddlewareContext) => EndpointMiddleware
  readonly backend?: (options: never, context: MiddlewareContext) => BackendMiddleware
}

/** Where a middleware sits. */
export type Place = 'server' | 'endpoint' | 'backend'
