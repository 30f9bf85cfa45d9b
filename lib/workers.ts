import cluster, { type Worker } from 'node:cluster'
import type { Logger } from './logger.js'
import { superviseReloads, type SuperviseReloadsOptions } from './reload/supervise-reloads.js'

/**
 * `rxgate run --workers N`: this process becomes a supervisor that forks N copies of the same
 * command, which share the listening port through node:cluster, so one machine's cores serve.
 * A worker that dies once serving is replaced; one that fails before it listens (a port in use, a
 * bad file) stops them all, since its siblings would fail the same way, but a replacement that
 * fails so (the file changed since, and is refused) leaves the others serving. SIGINT or SIGTERM
 * stops every worker gracefully, and the supervisor exits when they have. SIGHUP, or with
 * `reloads.watch` a change of the file, reloads every worker (`superviseReloads`).
 * Resolves with the exit code.
 */
export function superviseWorkers(count: number, logger: Logger, reloads?: Omit<SuperviseReloadsOptions, 'logger'>): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false
    let code = 0
    const listening = new WeakSet<Worker>()
    const replacements = new WeakSet<Worker>()
    const fork = () => cluster.fork().once('listening', function (this: Worker) {
      listening.add(this)
    })
    const reloading = reloads && superviseReloads({ ...reloads, logger })

    cluster.on('exit', (worker, exitCode, signal) => {
      if (!stopping && listening.has(worker)) {
        logger.error({ worker_pid: worker.process.pid, exitCode, signal }, 'a worker died: starting another')
        replacements.add(fork())
        return
      }
      if (!stopping && replacements.has(worker)) {
        logger.error({ worker_pid: worker.process.pid, exitCode }, 'a replacement worker could not start (its own error says why): the others serve on without it')
        if (Object.keys(cluster.workers ?? {}).length === 0) code = 1
      } else if (!stopping) {
        // Failed before it could serve: its siblings would too. Its own error is already printed.
        code = 1
        stop()
      }
      if (Object.keys(cluster.workers ?? {}).length === 0) resolve(code)
    })
    const stop = () => {
      if (stopping) return
      stopping = true
      reloading?.stop()
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM')
    }
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, stop)
    for (let i = 0; i < count; i++) fork()
    logger.info({ workers: count }, 'rxgate supervising its workers')
  })
}

export const isWorker = cluster.isWorker

/** A worker that has closed its gateway lets go of its supervisor's channel, which kept it alive. */
export function leaveCluster(): void {
  if (cluster.isWorker) cluster.worker?.disconnect()
}
