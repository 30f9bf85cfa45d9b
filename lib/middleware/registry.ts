import type {
  BackendMiddleware,
  BackendSource,
  EndpointMiddleware,
  MiddlewareContext,
  MiddlewareDefinition,
  Place,
  ServerMiddleware,
} from './types.js'
import type { Pipeline } from '../router/endpoint.js'
import { backendRateLimitDefinition } from './backend-rate-limit.js'
import { botDetectorDefinition } from './bot-detector.js'
import { circuitBreakerDefinition } from './circuit-breaker.js'
import { clientCredentialsDefinition } from './client-credentials.js'
import { corsDefinition } from './cors.js'
import { httpCacheDefinition } from './http-cache.js'
import { httpSecurityDefinition } from './http-security.js'
import { jwtSignerDefinition } from './jwt-signer.js'
import { jwtValidatorDefinition } from './jwt-validator.js'
import { httpClientPluginDefinition } from './plugin-http-client.js'
import { httpServerPluginsDefinition } from './plugin-http-server.js'
import { modifierPluginsDefinition } from './plugin-modifiers.js'
import { rateLimitDefinition } from './rate-limit.js'
import { redisRateLimitDefinition, serviceRedisRateLimitDefinition } from './redis-rate-limit.js'
import { serviceRateLimitDefinition } from './service-rate-limit.js'

/**
 * Every namespace rxgate implements as a middleware, by its short name. Built once, at start-up;
 * a config file and a route in code get the same middleware from the same factory.
 */
const DEFINITIONS: readonly MiddlewareDefinition[] = [
  httpServerPluginsDefinition,
  modifierPluginsDefinition,
  httpClientPluginDefinition,
  corsDefinition,
  httpSecurityDefinition,
  botDetectorDefinition,
  jwtValidatorDefinition,
  jwtSignerDefinition,
  clientCredentialsDefinition,
  httpCacheDefinition,
  rateLimitDefinition,
  backendRateLimitDefinition,
  serviceRateLimitDefinition,
  redisRateLimitDefinition,
  serviceRedisRateLimitDefinition,
  circuitBreakerDefinition,
]

const BY_NAMESPACE: ReadonlyMap<string, MiddlewareDefinition> = new Map(DEFINITIONS.map((definition) => [definition.namespace, definition]))

/**
 * The order in which the middlewares of one place wrap, outermost (first to see the request)
 * first: KrakenD CE's, read from how it stacks its factories (`krakend-ce`'s executor, handler,
 * proxy and backend factories; see `design/execution-flow.md` in KrakenD's documentation):
 *
 * - server: CORS (so a preflight is answered before anything else looks at it: krakend-ce's
 *   run-server factory wraps the plugins' handler in CORS), the HTTP server plugins, then the
 *   router's: the security headers and hosts of `security/http`, the bot detector, and the
 *   service's rate limit (a refused host or bot takes no token from the others).
 * - endpoint: the bot detector, JWT validation (nothing runs for a request without a valid
 *   token), the endpoint's rate limit (handler level), then JWT signing, which krakend-jose
 *   wraps around the proxy, so it signs what the proxy's own middlewares made: request
 *   validation (JSON Schema, CEL) and the request and response modifier plugins, innermost.
 * - backend: the modifier plugins (Lura stacks them around the whole backend), the backend's
 *   rate limit and circuit breaker (a call refused costs nothing), the HTTP cache, OAuth2 client
 *   credentials, and the HTTP client plugin that replaces the call, innermost.
 */
export const EXECUTION_ORDER: Readonly<Record<Place, readonly string[]>> = {
  // `auth/validator` at the service is the JWK client's shared cache: a pass-through, last
  server: ['security/cors', 'plugin/http-server', 'security/http', 'security/bot-detector', 'qos/ratelimit/service', 'qos/ratelimit/service/redis', 'auth/validator'],
  endpoint: [
    'security/bot-detector',
    'auth/validator',
    'qos/ratelimit/router',
    'qos/ratelimit/router/redis',
    'auth/signer',
    'validation/json-schema',
    'validation/cel',
    'plugin/req-resp-modifier',
  ],
  backend: ['plugin/req-resp-modifier', 'qos/ratelimit/proxy', 'qos/circuit-breaker', 'qos/http-cache', 'auth/client-credentials', 'plugin/http-client'],
}

/** The namespaces rxgate implements as middlewares at a place (`service` is the server's). */
export function middlewareNamespaces(place: Place): readonly string[] {
  return DEFINITIONS.filter((definition) => definition[place] !== undefined).map((definition) => definition.namespace)
}

/** The blocks of one place's namespaces, by short name, as the normalized configuration keeps them. */
export type MiddlewareBlocks = Readonly<Record<string, unknown>>

type Factory<M> = (options: unknown, context: MiddlewareContext) => M

/** The factories of `place` that `blocks` names, in execution order (outermost first). */
function ordered<M>(place: Place, blocks: MiddlewareBlocks, context: MiddlewareContext): M[] {
  const made: M[] = []
  for (const namespace of EXECUTION_ORDER[place]) {
    if (!Object.hasOwn(blocks, namespace)) continue
    const factory = BY_NAMESPACE.get(namespace)?.[place] as Factory<M> | undefined
    if (factory) made.push(factory(blocks[namespace], keeping(context, namespace, blocks[namespace])))
  }
  return made
}

/**
 * The context of one block, with `keep` when the file's state is kept (`context.state`): its
 * state is found again by the block's place and text, so a reload keeps it only while both are
 * the same.
 */
function keeping(context: MiddlewareContext, namespace: string, block: unknown): MiddlewareContext {
  const { state } = context
  if (state === undefined) return context
  const key = `${context.at} ${namespace} ${JSON.stringify(block)}`
  return { ...context, keep: (make, release) => state.keep(key, make, release) }
}

/** The server middlewares a service's blocks ask for, outermost first (for `gateway.use`, in that order). */
export function serverMiddlewares(blocks: MiddlewareBlocks, context: MiddlewareContext): ServerMiddleware[] {
  return ordered<ServerMiddleware>('server', blocks, context)
}

/** Wraps an endpoint's pipeline in the middlewares its blocks ask for; the first in order sees the request first. */
export function wrapEndpoint(pipeline: Pipeline, blocks: MiddlewareBlocks, context: MiddlewareContext): Pipeline {
  return ordered<EndpointMiddleware>('endpoint', blocks, context).reduceRight((inner, middleware) => middleware(inner), pipeline)
}

/** Wraps a backend's source in the middlewares its blocks ask for; the first in order sees the request first. */
export function wrapBackend(source: BackendSource, blocks: MiddlewareBlocks, context: MiddlewareContext): BackendSource {
  return ordered<BackendMiddleware>('backend', blocks, context).reduceRight((inner, middleware) => middleware(inner), source)
}
