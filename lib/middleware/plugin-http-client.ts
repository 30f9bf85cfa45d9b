import { Plugins } from '../plugins/plugins.js'
import type { BackendMiddleware, MiddlewareContext, MiddlewareDefinition } from './types.js'

/** The `plugin/http-client` block: the one plugin that replaces the backend's call, and its own settings under its name. */
export interface HttpClientPluginOptions {
  readonly name: string
  readonly [plugin: string]: unknown
}

/**
 * `plugin/http-client`: the plugin `name` names replaces the backend's call. Its `client`
 * middleware, made once from its own block, sits innermost (under rate limits, circuit breakers
 * and modifiers) and is given the backend's own call, decoded and shaped as the backend says, to
 * call or not: what it emits is the backend's data. One per backend, as in KrakenD.
 *
 * @example
 * const mocked = httpClientPlugin({ name: 'fixtures', fixtures: { dir: './fixtures' } }, { logger, at: 'backend /users/{id}', plugins })
 * fanOut({ user: mocked(backend('http://users:8080/users/{id}')) })
 */
export function httpClientPlugin(options: HttpClientPluginOptions, context: MiddlewareContext): BackendMiddleware {
  return (context.plugins ?? Plugins.NONE).make<BackendMiddleware>(options.name, 'client', options[options.name], context)
}

export const httpClientPluginDefinition: MiddlewareDefinition = {
  namespace: 'plugin/http-client',
  backend: httpClientPlugin,
}
