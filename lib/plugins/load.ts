import { readdir, stat } from 'node:fs/promises'
import { extname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { GatewayConfig, PluginFolder } from '../config/types.js'
import { ErrorCodes, RxgateError } from '../errors.js'
import type { Logger } from '../logger.js'
import { describe, notAPlugin, type Plugin } from './contract.js'
import { Plugins, type RegisteredPlugin } from './plugins.js'
import { checkPluginReferences } from './references.js'

/** What `import()` loads: ES modules, and CommonJS ones (whose `module.exports` is their default). */
const MODULE_EXTENSIONS = new Set(['.js', '.mjs', '.cjs'])

export interface LoadPluginsOptions {
  /**
   * Where a relative `folder` starts. Default: the working directory, as KrakenD reads it (Go's
   * `os.ReadDir` of the path as written), so a KrakenD file means the same folder here.
   */
  readonly cwd?: string
  /** Told which plugins were loaded from where (info), and which files were passed over (debug). */
  readonly logger?: Logger
}

/**
 * Loads the plugins a configuration asks for, before it is compiled: the modules of its
 * `plugin` folder (see `loadPluginFolder`), then checks that every name its `plugin/*`
 * namespaces use is registered with the factory each needs. Loading is asynchronous and
 * compiling is not: hand the result to `compileGateway`. A file with no `plugin` key has none.
 *
 * Throws `BAD_PLUGIN` for modules that cannot be used (every one listed), `CONFIG_INVALID` for a
 * folder that does not exist or names the configuration uses that no module registers (each
 * with its JSON pointer and the registered names).
 *
 * @example
 * const { config, warnings } = await loadConfig('gateway.json')
 * const plugins = await loadPlugins(config, { logger })
 * const gw = compileGateway(config, { logger, warnings, plugins })
 */
export async function loadPlugins(config: GatewayConfig, options: LoadPluginsOptions = {}): Promise<Plugins> {
  const plugins = config.plugin ? await loadPluginFolder(config.plugin, options) : Plugins.NONE
  checkPluginReferences(config, plugins)
  return plugins
}

/**
 * Loads the plugins of one folder, as KrakenD loads its `.so` files: every file of `folder`
 * (not of its subfolders) whose name contains `pattern`, in name order, imported with `import()`.
 * Only `.js`, `.mjs` and `.cjs` files are imported, so `".js"` passes over source maps. Each
 * module's default export is a plugin (`definePlugin({ name, ... })`) or a list of them.
 * A module runs its top-level code once, when imported.
 *
 * @example
 * const plugins = await loadPluginFolder({ folder: './plugins/', pattern: '.js' })
 */
export async function loadPluginFolder(from: PluginFolder, options: LoadPluginsOptions = {}): Promise<Plugins> {
  const folder = resolve(options.cwd ?? process.cwd(), from.folder)
  const files = await pluginFiles(folder, from, options.logger)
  const registrations: RegisteredPlugin[] = []
  const problems: string[] = []
  // One after another, in name order: a module's top-level code runs in an order the user can predict.
  for (const file of files) {
    const found = await registrationsOf(file)
    if (typeof found === 'string') problems.push(`${file}: ${found}`)
    else registrations.push(...found)
  }
  const origin = files.length === 0
    ? `no module in ${folder} has a name containing ${JSON.stringify(from.pattern)}`
    : `none of the modules of ${folder} registers it`
  const { plugins, problems: duplicates } = Plugins.register(registrations, origin)
  problems.push(...duplicates)
  if (problems.length > 0) {
    const count = problems.length === 1 ? 'a plugin module is' : `${problems.length} plugin modules are`
    throw new RxgateError(ErrorCodes.BAD_PLUGIN, `${count} not usable:\n${problems.join('\n')}`, { folder, problems })
  }
  options.logger?.info({ folder, plugins: registrations.map(({ plugin, source }) => ({ name: plugin.name, file: source })) }, `plugins loaded: ${registrations.length}`)
  return plugins
}

/** The module files of the folder whose names contain the pattern, sorted by name (as Go's `os.ReadDir` lists them). */
async function pluginFiles(folder: string, { folder: written, pattern }: PluginFolder, logger: Logger | undefined): Promise<string[]> {
  let entries
  try {
    entries = await readdir(folder, { withFileTypes: true })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is not a folder' : `cannot be read (${(error as Error).message})`
    const message = `/plugin/folder: ${JSON.stringify(written)} (${folder}) ${why}; a relative folder starts at the working directory`
    throw new RxgateError(ErrorCodes.CONFIG_INVALID, `the plugin folder cannot be used:\n${message}`, { problems: [message] }, { cause: error })
  }
  const files: string[] = []
  for (const entry of entries) {
    if (entry.isDirectory() || !entry.name.includes(pattern)) continue
    if (MODULE_EXTENSIONS.has(extname(entry.name))) files.push(entry.name)
    else logger?.debug({ file: join(folder, entry.name) }, 'plugin folder: not a JavaScript module, passed over')
  }
  return files.sort().map((name) => join(folder, name))
}

/** Each module file's last import: its modification time and size then, and the version it was imported as. */
const imported = new Map<string, { stamp: string; version: number }>()

/**
 * The URL to import a module file with: the same as last time while the file is unchanged (the
 * module already loaded, its top-level code not run again), another once it has changed, so
 * that a reloaded configuration gets the new code (Node keeps every version it imported).
 */
async function moduleUrl(file: string): Promise<string> {
  const href = pathToFileURL(file).href
  const { mtimeMs, size } = await stat(file)
  const stamp = `${mtimeMs}:${size}`
  const last = imported.get(file)
  if (last === undefined) imported.set(file, { stamp, version: 0 })
  else if (last.stamp !== stamp) imported.set(file, { stamp, version: last.version + 1 })
  const version = imported.get(file)!.version
  return version === 0 ? href : `${href}?version=${version}`
}

/** The plugins a module registers, or why it registers none. */
async function registrationsOf(file: string): Promise<RegisteredPlugin[] | string> {
  let module: Record<string, unknown>
  try {
    module = (await import(await moduleUrl(file))) as Record<string, unknown>
  } catch (error) {
    return `failed to load: ${importFailure(error)}`
  }
  const exported = module.default
  if (exported === undefined) {
    const named = Object.keys(module)
    const has = named.length === 0 ? 'it exports nothing' : `it exports only ${named.map((name) => JSON.stringify(name)).join(', ')}`
    return `exports no plugin: its default export must be a plugin (definePlugin({ name, server | endpoint | backend | client })) or a list of them, and ${has}`
  }
  const candidates = Array.isArray(exported) ? exported : [exported]
  if (candidates.length === 0) return 'exports no plugin: its default export is an empty list'
  const registrations: RegisteredPlugin[] = []
  for (const [index, candidate] of candidates.entries()) {
    const why = notAPlugin(candidate)
    if (why) return `its default export${Array.isArray(exported) ? `[${index}]` : ''} is ${why}`
    registrations.push({ plugin: candidate as Plugin, source: file })
  }
  return registrations
}

/** An import's failure in one line: its message, with the place of a syntax error when V8 gives it. */
function importFailure(error: unknown): string {
  if (!(error instanceof Error)) return `it threw ${describe(error)}: ${String(error)}`
  const where = error instanceof SyntaxError ? /^(file:\/\/\S+:\d+)/m.exec(error.stack ?? '')?.[1] : undefined
  return `${error.name}: ${error.message}${where ? ` (${where})` : ''}`
}
