import { Plugins } from '../plugins/plugins.js'
import type { HttpHandler, MiddlewareContext, MiddlewareDefinition, ServerMiddleware } from './types.js'

/**
 * The `plugin/http-server` block: the HTTP server plugins to run around every request (`name`),
 * and each plugin's own settings under its name.
 */
export interface HttpServerPluginsOptions {
  readonly name: string | readonly string[]
  readonly [plugin: string]: unknown
}

/**
 * `plugin/http-server`: the server plugins `name` lists, around every request, before routing,
 * each made once from its own block. They stack as KrakenD stacks them: each wraps the ones
 * before it, so the last one listed sees the request first (`["a", "b"]` runs `b(a(router))`).
 *
 * @example
 * const plugins = await loadPlugins(config)
 * gw.use(httpServerPlugins({ name: ['request-id'], 'request-id': { header: 'X-Request-Id' } }, { logger, at: 'service', plugins }))
 */
export function httpServerPlugins(options: HttpServerPluginsOptions, context: MiddlewareContext): ServerMiddleware {
  const plugins = context.plugins ?? Plugins.NONE
  const names = typeof options.name === 'string' ? [options.name] : options.name
  const made = names.map((name) => plugins.make<ServerMiddleware>(name, 'server', options[name], context))
  return (next) => made.reduce<HttpHandler>((inner, plugin) => plugin(inner), next)
}

export const httpServerPluginsDefinition: MiddlewareDefinition = {
  namespace: 'plugin/http-server',
  server: httpServerPlugins,
}
