import { didYouMean } from '../config/did-you-mean.js'
import { ErrorCodes, RxgateError } from '../errors.js'
import type { Logger } from '../logger.js'
import { KIND_NAMESPACES, describe, notAPlugin, type Plugin, type PluginKind } from './contract.js'

/** A plugin and where it came from: the module's path, or `code`. */
export interface RegisteredPlugin {
  readonly plugin: Plugin
  readonly source: string
}

/** What making a plugin's middleware needs from the place that uses it (a `MiddlewareContext` has it). */
export interface PluginUse {
  readonly logger: Logger
  readonly at: string
}

/**
 * The plugins a gateway may use, by name: loaded from the service's `plugin` folder
 * (`loadPlugins`), or given in code (`Plugins.of`). The `plugin/*` namespaces find theirs here
 * when the gateway is compiled; a name nobody registered, or a plugin without the factory a
 * namespace needs, is a configuration error that lists what is registered.
 *
 * @example
 * const plugins = Plugins.of([requestId, stripHeaders])
 * const gw = compileGateway(config, { logger, plugins })
 */
export class Plugins {
  /** No plugins at all: what a gateway compiled without any has. */
  static readonly NONE = new Plugins(
    new Map(),
    'no plugins are loaded (a file loads them from the folder its "plugin" key names; in code, give compileGateway the plugins of loadPlugins)',
  )

  private constructor(
    private readonly byName: ReadonlyMap<string, RegisteredPlugin>,
    /** Where the plugins came from, said when a name is not among them. */
    private readonly origin: string,
  ) {}

  /**
   * Plugins given in code. Throws `BAD_PLUGIN` for a value that is not a plugin, or for two
   * plugins of one name.
   */
  static of(plugins: readonly Plugin<never>[]): Plugins {
    const problems: string[] = []
    const registered: RegisteredPlugin[] = []
    plugins.forEach((plugin, index) => {
      const why = notAPlugin(plugin)
      if (why) problems.push(`plugins[${index}] is ${why}`)
      else registered.push({ plugin: plugin as Plugin, source: 'code' })
    })
    const { plugins: made, problems: duplicates } = Plugins.register(registered, 'given in code')
    problems.push(...duplicates)
    if (problems.length > 0) throw new RxgateError(ErrorCodes.BAD_PLUGIN, `the plugins given are not usable:\n${problems.join('\n')}`, { problems })
    return made
  }

  /** Plugins from registrations in load order; two of one name are a problem each (the first one stays). */
  static register(registrations: readonly RegisteredPlugin[], origin: string): { plugins: Plugins; problems: string[] } {
    const byName = new Map<string, RegisteredPlugin>()
    const problems: string[] = []
    for (const registration of registrations) {
      const { name } = registration.plugin
      const first = byName.get(name)
      if (first === undefined) byName.set(name, registration)
      else problems.push(`plugin ${JSON.stringify(name)} is registered twice: by ${first.source} and by ${registration.source}`)
    }
    return { plugins: new Plugins(byName, origin), problems }
  }

  /** The registered names, in load order. */
  get names(): readonly string[] {
    return [...this.byName.keys()]
  }

  get(name: string): RegisteredPlugin | undefined {
    return this.byName.get(name)
  }

  /** Why `name` cannot be used where a `kind` factory is needed, or `undefined` when it can. */
  unusable(name: string, kind: PluginKind): string | undefined {
    const registered = this.byName.get(name)
    if (registered === undefined) {
      if (this.byName.size === 0) return `${JSON.stringify(name)} is not a registered plugin: ${this.origin}`
      const suggestion = didYouMean(name, this.byName.keys())
      const hint = suggestion === undefined ? '' : `; did you mean ${JSON.stringify(suggestion)}?`
      return `${JSON.stringify(name)} is not a registered plugin (registered: ${this.names.join(', ')})${hint}`
    }
    if (typeof registered.plugin[kind] === 'function') return undefined
    const has = (['server', 'endpoint', 'backend', 'client'] as const).filter((other) => registered.plugin[other] !== undefined)
    return `plugin ${JSON.stringify(name)} (${registered.source}) has no "${kind}" factory, which ${usedAs(kind)} needs; it has ${has.map((other) => `"${other}"`).join(', ')}`
  }

  /**
   * The middleware plugin `name` makes for a `kind` place, from its own block: its factory called
   * once, now, with a logger marked with its name. Throws `CONFIG_INVALID` when the name cannot be
   * used there, `BAD_PLUGIN` when the factory throws or makes something that is not a middleware.
   */
  make<M extends (inner: never) => unknown>(name: string, kind: PluginKind, config: unknown, use: PluginUse): M {
    const why = this.unusable(name, kind)
    if (why) throw new RxgateError(ErrorCodes.CONFIG_INVALID, `${KIND_NAMESPACES[kind]} at ${use.at}: ${why}`, { plugin: name })
    const { plugin, source } = this.byName.get(name)!
    const label = `plugin ${JSON.stringify(name)} (${source})`
    const fail = (what: string, cause?: unknown) =>
      new RxgateError(ErrorCodes.BAD_PLUGIN, `${label}, used by ${KIND_NAMESPACES[kind]} at ${use.at}: ${what}`, { plugin: name, source }, { cause })
    let made: unknown
    try {
      made = (plugin[kind] as (config: unknown, context: PluginUse) => unknown)(config, { logger: use.logger.child({ plugin: name }), at: use.at })
    } catch (error) {
      throw fail(`its "${kind}" factory threw: ${(error as Error)?.message ?? String(error)}`, error)
    }
    if (typeof made !== 'function') throw fail(`its "${kind}" factory returned ${describe(made)}, not a middleware function`)
    const middleware = made as (inner: unknown) => unknown
    // What it wraps into must be a handler, pipeline or source too: found now, not on a request.
    return ((inner: unknown) => {
      const wrapped = middleware(inner)
      if (typeof wrapped !== 'function') throw fail(`its ${kind} middleware returned ${describe(wrapped)}, not a function`)
      return wrapped
    }) as unknown as M
  }
}

function usedAs(kind: PluginKind): string {
  if (kind === 'endpoint') return `${KIND_NAMESPACES[kind]} on an endpoint`
  if (kind === 'backend') return `${KIND_NAMESPACES[kind]} on a backend`
  return KIND_NAMESPACES[kind]
}
