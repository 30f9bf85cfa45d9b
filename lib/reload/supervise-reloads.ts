import cluster, { type Worker } from 'node:cluster'
import type { PluginFolder } from '../config/types.js'
import type { Logger } from '../logger.js'
import { logReload, type ReloadOutcome } from './outcome.js'
import { ConfigWatcher } from './watch.js'
import { isReloadReply, type ReloadRequest } from './worker-messages.js'

export interface SuperviseReloadsOptions {
  /** The configuration file the workers run. */
  readonly file: string
  readonly logger: Logger
  /** `--watch`: the supervisor watches the file (and `plugin`'s folder) for its workers. */
  readonly watch?: boolean
  readonly plugin?: PluginFolder
  /** How long a worker has to answer. Default 60 s. */
  readonly answerMs?: number
}

/** A worker's part of a round: its outcome, or why there is none. */
type Answer = { readonly pid: number | undefined; readonly outcome: ReloadOutcome | 'exited' | 'silent' }

/**
 * The reloads of `rxgate run --workers N`, as its supervisor runs them: on SIGHUP, and with
 * `watch` when the file or its plugin folder changes, it tells every worker to reload (an IPC
 * message; each checks the file and swaps its routes itself, see `serveReloads`), waits for
 * their answers, and logs the round in one line (a refusal's problems after it, each on its
 * line). One round at a time; one asked for meanwhile runs after it.
 *
 * @example
 * const reloads = superviseReloads({ file: 'gateway.json', logger, watch: true })
 * reloads.stop()   // when the workers are told to stop
 */
export function superviseReloads(options: SuperviseReloadsOptions): { stop(): void } {
  const { file, logger } = options
  let rounds = 0
  let running: Promise<void> | undefined
  let queued: Promise<void> | undefined
  let stopped = false
  let watcher: ConfigWatcher | undefined

  const round = async () => {
    const id = ++rounds
    const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined && worker.isConnected())
    const answers = await Promise.all(workers.map((worker) => ask(worker, id, options.answerMs ?? 60_000)))
    const outcomes = answers.map((answer) => answer.outcome).filter((outcome): outcome is ReloadOutcome => typeof outcome === 'object')
    const plugin = outcomes.find((outcome) => outcome.reloaded)
    if (plugin?.reloaded) watcher?.watchPlugins(plugin.plugin)
    report(logger, file, answers)
  }
  const reload = () => {
    if (stopped || queued) return
    if (!running) {
      running = round().finally(() => (running = undefined))
      return
    }
    queued = running.then(() => {
      queued = undefined
      running = round().finally(() => (running = undefined))
    })
  }
  process.on('SIGHUP', reload)
  if (options.watch) watcher = new ConfigWatcher(file, reload, { logger, ...(options.plugin ? { plugin: options.plugin } : {}) })
  return {
    stop() {
      // SIGHUP stays handled: its default would end the supervisor while its workers stop
      stopped = true
      watcher?.close()
    },
  }
}

/** Tells a worker to reload and waits for its answer, its exit, or the deadline. */
function ask(worker: Worker, round: number, ms: number): Promise<Answer> {
  const pid = worker.process.pid
  return new Promise((resolve) => {
    const done = (outcome: Answer['outcome']) => {
      clearTimeout(timer)
      worker.off('message', onMessage)
      worker.off('exit', onExit)
      resolve({ pid, outcome })
    }
    const onMessage = (message: unknown) => {
      if (isReloadReply(message) && message.round === round) done(message.outcome)
    }
    const onExit = () => done('exited')
    const timer = setTimeout(() => done('silent'), ms)
    worker.on('message', onMessage)
    worker.on('exit', onExit)
    const request: ReloadRequest = { rxgate: 'reload', round }
    // a worker whose channel closed meanwhile is on its way out: its exit answers for it
    worker.send(request, (error: Error | null) => {
      if (error) done('exited')
    })
  })
}

/** One line for the round (and a refusal's problems, one a line). */
function report(logger: Logger, file: string, answers: readonly Answer[]): void {
  const total = answers.length
  const reloaded = answers.filter((answer) => typeof answer.outcome === 'object' && answer.outcome.reloaded)
  const refused = answers.filter((answer) => typeof answer.outcome === 'object' && !answer.outcome.reloaded)
  const other = answers.filter((answer) => typeof answer.outcome !== 'object')
  const first = (reloaded[0] ?? refused[0])?.outcome as ReloadOutcome | undefined
  if (first === undefined) {
    logger.error({ file, workers: total }, `configuration not reloaded: no worker answered`)
    return
  }
  if (reloaded.length === total) return logReload(logger, file, first, { workers: total }, ` by ${total} of ${total} workers`)
  if (refused.length === total) return logReload(logger, file, first, { workers: total }, ` by any of ${total} workers`)
  // some did and some did not: the routes differ from worker to worker until the next reload
  const pids = (list: readonly Answer[]) => list.map((answer) => answer.pid)
  const why = refused[0]?.outcome as Extract<ReloadOutcome, { reloaded: false }> | undefined
  logger.error(
    { file, workers: total, reloaded: pids(reloaded), refused: pids(refused), unanswered: pids(other) },
    `configuration reloaded by ${reloaded.length} of ${total} workers${why ? `; refused by ${refused.length}: ${why.reason}` : ''}${other.length > 0 ? `; ${other.length} did not answer` : ''}`,
  )
  for (const problem of why?.problems ?? []) logger.error({ file }, problem)
}
