import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { freePort } from './spawn-node.js'

/**
 * Options for a tap test that needs a real Redis: `t.test(name, needsRedis, async (t) => ...)`.
 * Skipped, saying why, where `redis-server` is not installed (`.ci/run` installs it), so that
 * `npm test` still runs everything else on a machine without it.
 */
export const needsRedis: { readonly skip: string | false } = {
  skip: spawnSync('redis-server', ['--version']).error ? 'redis-server is not installed: apt-get install redis-server (.ci/run installs it)' : false,
}

export interface TestRedis {
  /** `127.0.0.1:PORT`, as a `redis` connection pool's `address`. */
  readonly address: string
  readonly port: number
  /** Stops the server (an outage); `start()` brings it back on the same port, empty. */
  stop(): Promise<void>
  start(): Promise<void>
}

/**
 * A real `redis-server` (Debian's package, installed by `.ci/run`) on a free loopback port, with
 * nothing saved to disk, stopped when the test ends. `stop()` and `start()` take it down and up
 * again on the same port, for outage tests.
 */
export async function startRedis(t: Test): Promise<TestRedis> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'rxgate-redis-'))
  let server: ChildProcess | undefined
  const start = async () => {
    server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' })
    const failed = new Promise<never>((_, reject) => server!.once('error', (error) => reject(new Error(`redis-server could not start (apt-get install redis-server): ${error.message}`))))
    await Promise.race([failed, listening(port)])
  }
  const stop = async () => {
    const running = server
    server = undefined
    if (!running || running.exitCode !== null) return
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve())
      running.kill('SIGKILL')
    })
  }
  await start()
  t.teardown(async () => {
    await stop()
    rmSync(dir, { recursive: true, force: true })
  })
  return { address: `127.0.0.1:${port}`, port, stop, start }
}

/** Resolves once the port accepts connections (within 5 s). */
async function listening(port: number): Promise<void> {
  const deadline = Date.now() + 5000
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (open) return
    if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port} within 5 s`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
