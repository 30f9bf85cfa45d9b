import type { GatewayConfig } from '../config/types.js'
import { ErrorCodes, RxgateError } from '../errors.js'
import type { MiddlewareBlocks } from '../middleware/registry.js'
import { KIND_NAMESPACES, type PluginKind } from './contract.js'
import type { Plugins } from './plugins.js'

/** One plugin name a configuration uses: where (a JSON pointer), which, and the factory it needs there. */
export interface PluginReference {
  readonly pointer: string
  readonly name: string
  readonly kind: PluginKind
}

/**
 * Every plugin name a configuration's `plugin/*` namespaces use, with its JSON pointer in the
 * file: the service's `plugin/http-server`, each endpoint's and backend's
 * `plugin/req-resp-modifier`, each backend's `plugin/http-client`.
 */
export function pluginReferences(config: GatewayConfig): PluginReference[] {
  const uses = namesIn(config.middlewares, '', 'server')
  config.endpoints.forEach((endpoint, i) => {
    uses.push(...namesIn(endpoint.middlewares, `/endpoints/${i}`, 'endpoint'))
    endpoint.backend.forEach((backend, j) => {
      uses.push(...namesIn(backend.middlewares, `/endpoints/${i}/backend/${j}`, 'backend'))
      uses.push(...namesIn(backend.middlewares, `/endpoints/${i}/backend/${j}`, 'client'))
    })
  })
  return uses
}

/**
 * Throws `CONFIG_INVALID` listing every name the configuration uses that `plugins` cannot serve
 * (not registered, or without the factory its namespace needs), each with its JSON pointer.
 */
export function checkPluginReferences(config: GatewayConfig, plugins: Plugins): void {
  const problems = pluginReferences(config).flatMap(({ pointer, name, kind }) => {
    const why = plugins.unusable(name, kind)
    return why === undefined ? [] : [`${pointer}: ${why}`]
  })
  if (problems.length === 0) return
  const count = problems.length === 1 ? 'a plugin it names is' : `${problems.length} plugins it names are`
  throw new RxgateError(ErrorCodes.CONFIG_INVALID, `the configuration cannot be served: ${count} not usable:\n${problems.join('\n')}`, { problems })
}

function namesIn(blocks: MiddlewareBlocks, at: string, kind: PluginKind): PluginReference[] {
  const namespace = KIND_NAMESPACES[kind]
  const block = blocks[namespace] as { name?: unknown } | undefined
  const pointer = `${at}/extra_config/${namespace.replace('/', '~1')}/name`
  const name = block?.name
  if (typeof name === 'string') return [{ pointer, name, kind }]
  if (!Array.isArray(name)) return []
  return name.flatMap((item, index) => (typeof item === 'string' ? [{ pointer: `${pointer}/${index}`, name: item, kind }] : []))
}
