import { loadConfig, type GatewayConfig, type ValidationOptions } from '../config/index.js'
import type { Gateway } from '../gateway.js'
import type { Logger } from '../logger.js'
import { compileGateway } from '../pipeline/compile.js'
import { loadPlugins } from '../plugins/load.js'
import { backendOrigins } from './backend-origins.js'
import { refusal, type ReloadOutcome } from './outcome.js'
import { settingsNeedingRestart, withRunningSettings } from './restart-settings.js'

export interface ReloaderOptions {
  /** The configuration file, read again at each reload. */
  readonly file: string
  /** `loadConfig`'s options, as the gateway was started with them (`--allow-unenforced`, `--lint`). */
  readonly validation?: ValidationOptions
  readonly logger: Logger
  /** `rxgate run -d`: the debug endpoint whatever the file says. */
  readonly debug?: boolean
  /** `-p` chose the port, so the file's `port` is not the one served. */
  readonly portFromCommandLine?: boolean
}

/**
 * Reloads a running gateway's configuration file in place: the file is read and checked as
 * `rxgate run` checks it (plugins imported, names resolved), compiled into the gateway's
 * `successor()`, and swapped in (`gateway.swap`): requests already received finish on the old
 * routes, later ones get the new. A file that does not pass is refused, with its problems, and
 * the old configuration serves on. One reload runs at a time: one asked for meanwhile runs once
 * it ends (with the file as it is then), and any more asked for meanwhile join that one.
 *
 * Once the old routes' requests are done, their resources are released: the state of the
 * middlewares the new file changed or dropped, and the connection pools of the backend hosts it
 * no longer names.
 *
 * @example
 * const reloader = new Reloader(gateway, config, { file: 'gateway.json', logger })
 * process.on('SIGHUP', () => void reloader.reload().then((outcome) => logReload(logger, 'gateway.json', outcome)))
 */
export class Reloader {
  private running: Promise<ReloadOutcome> | undefined
  private queued: Promise<ReloadOutcome> | undefined
  private stopped = false

  constructor(
    private readonly gateway: Gateway,
    /** The configuration the gateway serves now. */
    private serving: GatewayConfig,
    private readonly options: ReloaderOptions,
  ) {}

  /** The configuration served now. */
  get config(): GatewayConfig {
    return this.serving
  }

  /** Reloads the file, or joins the reload that will: resolves with what it did. */
  reload(): Promise<ReloadOutcome> {
    if (this.queued) return this.queued
    if (!this.running) return this.start()
    this.queued = this.running.then(() => {
      this.queued = undefined
      return this.start()
    })
    return this.queued
  }

  /** No more reloads: resolves once the one running, if any, has ended (before the gateway closes). */
  async stop(): Promise<void> {
    this.stopped = true
    await this.queued
    await this.running
  }

  private start(): Promise<ReloadOutcome> {
    this.running = this.once().finally(() => (this.running = undefined))
    return this.running
  }

  private async once(): Promise<ReloadOutcome> {
    if (this.stopped) return { reloaded: false, reason: 'the gateway is stopping', problems: [] }
    const started = performance.now()
    const { file, validation, logger, debug } = this.options
    let next: Gateway
    let config: GatewayConfig
    let warnings: readonly string[]
    try {
      ;({ config, warnings } = await loadConfig(file, validation))
      const plugins = await loadPlugins(config, { logger })
      next = compileGateway(config, { logger, debug: debug ?? false, plugins, replacing: this.gateway })
    } catch (error) {
      return refusal(error)
    }
    const needsRestart = settingsNeedingRestart(this.serving, config, { portFromCommandLine: this.options.portFromCommandLine ?? false })
    await this.gateway.swap(next, { keepConnectionsTo: backendOrigins(config) })
    // what a restart would change still runs as before: the next reload compares with that
    this.serving = withRunningSettings(config, this.serving)
    return {
      reloaded: true,
      endpoints: config.endpoints.length,
      warnings,
      needsRestart,
      ...(config.plugin ? { plugin: config.plugin } : {}),
      ms: Math.round(performance.now() - started),
    }
  }
}
