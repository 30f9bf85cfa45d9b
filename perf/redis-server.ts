/**
 * A real `redis-server` for the scenarios that measure the Redis-backed middlewares: Debian's
 * package (installed by the bench when it runs as root), on a free loopback port, nothing saved
 * to disk, stopped with the bench's other processes.
 */
import { spawnSync } from 'node:child_process'
import { connect } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { aptInstall, canInstall } from './apt.js'
import { freePort, has } from './backends.js'
import { atStop, start, type Started } from './processes.js'

export interface BenchRedis {
  /** `127.0.0.1:PORT`, as a `redis` connection pool's `address`. */
  readonly address: string
  readonly version: string
  stop(): Promise<void>
}

/** Starts redis-server, or says why it cannot (the scenario then measures without it). */
export async function startRedisServer(): Promise<BenchRedis | string> {
  const missing = ensureRedis()
  if (missing !== undefined) return missing
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'rxgate-bench-redis-'))
  const remove = () => rmSync(dir, { recursive: true, force: true })
  const forget = atStop(remove)
  const server: Started = start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: 'ignore',
  })
  const stop = async () => {
    await server.stop()
    remove()
    forget()
  }
  if (!(await listening(port, server))) {
    await stop()
    return `redis-server did not listen on port ${port}`
  }
  return { address: `127.0.0.1:${port}`, version: redisVersion(), stop }
}

function ensureRedis(): string | undefined {
  if (has('redis-server')) return undefined
  if (!canInstall()) return 'redis-server is not installed, and the bench is not running as root to install it'
  if (!aptInstall('redis-server') || !has('redis-server')) return 'redis-server is not installed, and apt-get could not install it'
  return undefined
}

function redisVersion(): string {
  const { stdout } = spawnSync('redis-server', ['--version'], { encoding: 'utf8' })
  return /v=(\S+)/.exec(stdout)?.[1] ?? 'unknown'
}

async function listening(port: number, server: Started): Promise<boolean> {
  const deadline = Date.now() + 5000
  while (Date.now() < deadline && server.child.exitCode === null) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (open) return true
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return false
}
