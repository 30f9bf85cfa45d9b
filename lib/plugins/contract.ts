import { didYouMean } from '../config/did-you-mean.js'
import type { Logger } from '../logger.js'
import type { BackendMiddleware, EndpointMiddleware, ServerMiddleware } from '../middleware/types.js'

/** What a plugin's factories are given besides their own block of the configuration. */
export interface PluginContext {
  /** The gateway's logger, its lines marked with the plugin's name. */
  readonly logger: Logger
  /** Where the plugin is used, for messages: `service`, `endpoint /users/{id}`, `backend /users/{id}`. */
  readonly at: string
}

/** A plugin's factory: its own block (`undefined` when the file has none) in, a middleware out. */
export type PluginFactory<Config, M> = (config: Config | undefined, context: PluginContext) => M

/**
 * A user plugin, what a Go `.so` plugin is to KrakenD: an ES module whose default export is one
 * (or a list of them), loaded at start-up from the service's `plugin` folder. It registers a name
 * and up to four factories, one per namespace that can use it, each given the plugin's own block
 * (the key of the namespace's block named after the plugin) and a logger, once, at start-up:
 *
 * - `server`: `plugin/http-server` at the service; around every request, before routing.
 * - `endpoint`: `plugin/req-resp-modifier` on an endpoint; sees its request before the backends
 *   and its answer after.
 * - `backend`: `plugin/req-resp-modifier` on a backend; sees each call of that backend.
 * - `client`: `plugin/http-client` on a backend; replaces the backend's call, which it is given
 *   (decoded and shaped as the backend says) to call or not.
 *
 * The middlewares are rxgate's own three types, so a plugin is written as any middleware is, and
 * never changes a request or a document in place: it makes a new one.
 */
export interface Plugin<Config = unknown> {
  /** The name the configuration uses: `"name": ["request-id"]`. Unique across the folder. */
  readonly name: string
  readonly server?: PluginFactory<Config, ServerMiddleware>
  readonly endpoint?: PluginFactory<Config, EndpointMiddleware>
  readonly backend?: PluginFactory<Config, BackendMiddleware>
  readonly client?: PluginFactory<Config, BackendMiddleware>
}

/** The factories a plugin may register, by the key of `Plugin` that holds each. */
export type PluginKind = 'server' | 'endpoint' | 'backend' | 'client'

export const PLUGIN_KINDS: readonly PluginKind[] = ['server', 'endpoint', 'backend', 'client']

/** The namespace that uses each kind of factory, for messages. */
export const KIND_NAMESPACES: Readonly<Record<PluginKind, string>> = {
  server: 'plugin/http-server',
  endpoint: 'plugin/req-resp-modifier',
  backend: 'plugin/req-resp-modifier',
  client: 'plugin/http-client',
}

/**
 * Types a plugin: returns it unchanged, so that its factories' parameters are checked against
 * `Config` and rxgate's middleware types. A module needs nothing else from rxgate.
 *
 * @example
 * // plugins/powered-by.js, with "plugin": { "folder": "./plugins/", "pattern": ".js" }
 * import { definePlugin } from 'rxgate'
 *
 * export default definePlugin<{ value?: string }>({
 *   name: 'powered-by',
 *   server: (config = {}) => (next) => (req, res) => {
 *     res.setHeader('X-Powered-By', config.value ?? 'rxgate')
 *     next(req, res)
 *   },
 * })
 */
export function definePlugin<Config = unknown>(plugin: Plugin<Config>): Plugin<Config> {
  return plugin
}

/**
 * Why a value is not a plugin (`undefined` when it is one): a module's export is checked before
 * anything uses it, so that a mistake names the module rather than failing on some request.
 */
export function notAPlugin(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${describe(value)}, not a plugin object`
  const record = value as Record<string, unknown>
  if (typeof record.name !== 'string' || record.name === '') {
    return `a value whose "name" is ${record.name === '' ? 'empty' : describe(record.name)}, not a non-empty string`
  }
  const label = JSON.stringify(record.name)
  for (const key of Object.keys(record)) {
    if (key === 'name' || (PLUGIN_KINDS as readonly string[]).includes(key)) continue
    const suggestion = didYouMean(key, PLUGIN_KINDS)
    return `plugin ${label} with the key ${JSON.stringify(key)}, which is not one of name, ${PLUGIN_KINDS.join(', ')}${suggestion ? ` (did you mean ${JSON.stringify(suggestion)}?)` : ''}`
  }
  const kinds = PLUGIN_KINDS.filter((kind) => record[kind] !== undefined)
  if (kinds.length === 0) return `plugin ${label} with no factory: it needs one of ${PLUGIN_KINDS.join(', ')}`
  const broken = kinds.find((kind) => typeof record[kind] !== 'function')
  if (broken) return `plugin ${label} whose "${broken}" is ${describe(record[broken])}, not a function`
  return undefined
}

/** A value in a few words, for messages: `a string`, `an array`, `undefined`. */
export function describe(value: unknown): string {
  if (value === undefined || value === null) return String(value)
  if (Array.isArray(value)) return 'an array'
  const type = typeof value
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`
}
