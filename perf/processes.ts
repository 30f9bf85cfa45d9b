/**
 * Every process the bench starts goes through here, so that all of them are stopped at the end:
 * on success, on error, and on Ctrl-C or SIGTERM. Node children also get an IPC channel and exit
 * when it closes, so that even a bench killed with SIGKILL leaves none behind.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const running = new Set<ChildProcess>()
const cleanups = new Set<() => void>()

/** Something to undo once the processes are stopped (a temp folder, say), even after Ctrl-C. */
export function atStop(cleanup: () => void): () => void {
  cleanups.add(cleanup)
  return () => cleanups.delete(cleanup)
}

export interface Started {
  readonly child: ChildProcess
  /** SIGTERM, then SIGKILL if it has not exited after `grace` ms. Resolves once it has exited. */
  stop(grace?: number): Promise<void>
}

/** Starts a command, tracked until it exits. */
export function start(command: string, args: readonly string[], options: SpawnOptions = {}): Started {
  const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options })
  running.add(child)
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    // A command that could not be started never exits, but it is not running either.
    child.once('error', () => resolve())
  }).finally(() => running.delete(child))
  return {
    child,
    stop: async (grace = 3000) => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), grace)
        await exited
        clearTimeout(timer)
      }
      await exited
    },
  }
}

/** Runs a command to its end: its stdout and stderr together. Throws, with them, unless it exits 0. */
export async function outputOf(command: string, args: readonly string[]): Promise<string> {
  const run = start(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  run.child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()))
  run.child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()))
  const code = await new Promise<number | null>((resolve) => run.child.once('close', resolve))
  if (code !== 0) throw new Error(`${command} exited with code ${code}:\n${out}`)
  return out
}

/**
 * Starts one of the bench's own Node scripts (a path relative to this compiled file) with an IPC
 * channel, and waits for its first message: `{ ready: ... }` once it listens.
 */
export async function startScript<T>(script: string, env: Record<string, string>, nodeArgs: readonly string[] = []): Promise<{ process: Started; ready: T }> {
  const path = fileURLToPath(new URL(script, import.meta.url))
  const started = start(process.execPath, [...nodeArgs, path], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
  })
  try {
    const ready = await new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${script} did not report ready within 15 s`)), 15_000)
      started.child.once('message', (message: { ready?: T; error?: string }) => {
        clearTimeout(timer)
        if (message.error !== undefined) reject(new Error(`${script}: ${message.error}`))
        else resolve(message.ready as T)
      })
      started.child.once('exit', (code, signal) => {
        clearTimeout(timer)
        reject(new Error(`${script} exited before it was ready (code ${code}, signal ${signal})`))
      })
    })
    return { process: started, ready }
  } catch (error) {
    await started.stop()
    throw error
  }
}

/** Stops everything still running, gently first, then runs the cleanups. */
export async function stopAll(): Promise<void> {
  const all = [...running]
  for (const child of all) child.kill('SIGTERM')
  await Promise.all(
    all.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve()
          const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
          child.once('exit', () => {
            clearTimeout(timer)
            resolve()
          })
        }),
    ),
  )
  for (const cleanup of cleanups) cleanup()
  cleanups.clear()
}

let signalled = false

/** Whether the bench was told to stop: a child dying then is no failure to report. */
export function interrupted(): boolean {
  return signalled
}

/** Ctrl-C, SIGTERM or a crash: stop the children before going. Call once, at start. */
export function stopAllOnExit(): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      signalled = true
      console.error(`\n${signal}: stopping the bench's processes`)
      void stopAll().finally(() => process.exit(130))
    })
  }
  // The last resort, synchronous: whatever is still running at exit is killed outright.
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL')
  })
}
