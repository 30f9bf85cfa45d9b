import { Plugins } from '../plugins/plugins.js'
import type { Pipeline } from '../router/endpoint.js'
import type { BackendMiddleware, BackendSource, EndpointMiddleware, MiddlewareContext, MiddlewareDefinition } from './types.js'

/**
 * The `plugin/req-resp-modifier` block: the plugins to run (`name`), and each plugin's own
 * settings under its name.
 */
export interface ModifierPluginsOptions {
  readonly name: readonly string[]
  readonly [plugin: string]: unknown
}

/**
 * `plugin/req-resp-modifier` on an endpoint: the plugins `name` lists, each an endpoint
 * middleware made once from its own block, the first listed outermost: it sees the request
 * first, as KrakenD runs request modifiers in the order listed (and the answer last).
 *
 * @example
 * const strip = endpointModifierPlugins({ name: ['strip-headers'], 'strip-headers': { headers: ['Cookie'] } }, { logger, at: 'endpoint /me', plugins })
 * gw.get('/me', strip(pipeline))
 */
export function endpointModifierPlugins(options: ModifierPluginsOptions, context: MiddlewareContext): EndpointMiddleware {
  const plugins = context.plugins ?? Plugins.NONE
  const made = options.name.map((name) => plugins.make<EndpointMiddleware>(name, 'endpoint', options[name], context))
  return (pipeline) => made.reduceRight<Pipeline>((inner, plugin) => plugin(inner), pipeline)
}

/**
 * `plugin/req-resp-modifier` on a backend: as on an endpoint, each plugin a backend middleware
 * around every call of that backend.
 *
 * @example
 * const anonymous = backendModifierPlugins({ name: ['strip-headers'], 'strip-headers': { headers: ['Authorization'] } }, { logger, at: 'backend /weather', plugins })
 * fanOut({ weather: anonymous(backend('https://weather.example/now', { headers: '*' })) })
 */
export function backendModifierPlugins(options: ModifierPluginsOptions, context: MiddlewareContext): BackendMiddleware {
  const plugins = context.plugins ?? Plugins.NONE
  const made = options.name.map((name) => plugins.make<BackendMiddleware>(name, 'backend', options[name], context))
  return (source) => made.reduceRight<BackendSource>((inner, plugin) => plugin(inner), source)
}

export const modifierPluginsDefinition: MiddlewareDefinition = {
  namespace: 'plugin/req-resp-modifier',
  endpoint: endpointModifierPlugins,
  backend: backendModifierPlugins,
}
