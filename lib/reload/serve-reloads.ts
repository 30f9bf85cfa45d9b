import cluster from 'node:cluster'
import type { GatewayConfig } from '../config/types.js'
import type { Gateway } from '../gateway.js'
import { logReload, type ReloadOutcome } from './outcome.js'
import { Reloader, type ReloaderOptions } from './reloader.js'
import { ConfigWatcher } from './watch.js'
import { isReloadRequest, type ReloadReply } from './worker-messages.js'

export interface ServeReloadsOptions extends ReloaderOptions {
  /** `--watch`: reload when the file, or a module of its plugin folder, changes. */
  readonly watch?: boolean
  /**
   * The gateway's `listen()`. SIGHUP, the watch and the supervisor's messages are heard from the
   * start, so that no change made once the gateway says it listens is missed (nor a SIGHUP taken
   * for its default, the end of the process); a reload asked before this settles waits for it.
   */
  readonly ready?: Promise<unknown>
}

/** What stops a process's reloads, before its gateway closes. */
export interface Reloads {
  readonly reloader: Reloader
  stop(): Promise<void>
}

/**
 * How a serving `rxgate run` process reloads its file (see `Reloader`): on SIGHUP, and with
 * `watch` when the file or its plugin folder changes; each reload logged. A worker of
 * `--workers N` also reloads when its supervisor says so, and answers it with the outcome,
 * which the supervisor logs for all its workers (it watches the file for them too).
 *
 * @example
 * const listening = gateway.listen(8080)
 * const reloads = serveReloads(gateway, config, { file: 'gateway.json', logger, watch: true, ready: listening })
 * await listening
 * // at SIGTERM:
 * await reloads.stop()
 * await gateway.close()
 */
export function serveReloads(gateway: Gateway, config: GatewayConfig, options: ServeReloadsOptions): Reloads {
  const { file, logger } = options
  const reloader = new Reloader(gateway, config, options)
  let watcher: ConfigWatcher | undefined
  let logged: ReloadOutcome | undefined
  let stopped = false
  const ready = Promise.resolve(options.ready).catch(() => undefined)
  const reload = async () => {
    await ready
    if (stopped) return
    const outcome = await reloader.reload()
    // two asks that joined one reload get one outcome: it is logged once
    if (outcome === logged) return
    logged = outcome
    if (outcome.reloaded) watcher?.watchPlugins(outcome.plugin)
    logReload(logger, file, outcome)
  }
  const onHangUp = () => void reload()
  const onMessage = (message: unknown) => {
    if (!isReloadRequest(message)) return
    void ready.then(() => reloader.reload()).then((outcome) => {
      const reply: ReloadReply = { rxgate: 'reloaded', round: message.round, outcome }
      // a worker whose supervisor has gone has no one to answer
      if (process.connected) process.send?.(reply)
    })
  }
  process.on('SIGHUP', onHangUp)
  if (cluster.isWorker) process.on('message', onMessage)
  else if (options.watch) watcher = new ConfigWatcher(file, onHangUp, { logger, ...(config.plugin ? { plugin: config.plugin } : {}) })
  return {
    reloader,
    async stop() {
      // SIGHUP stays handled (its default would end the process in the middle of its close)
      stopped = true
      process.off('message', onMessage)
      watcher?.close()
      await reloader.stop()
    },
  }
}
