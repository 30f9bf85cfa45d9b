/**
 * The load generator: wrk (Debian's package), one thread, 50 connections, keep-alive. Installed
 * with apt-get when missing and running as root; otherwise the bench says how and stops.
 */
import { spawnSync } from 'node:child_process'
import { ensureCommand } from './apt.js'
import { outputOf } from './processes.js'

export const CONNECTIONS = 50
export const THREADS = 1

export interface WrkResult {
  readonly requestsPerSecond: number
  /** 99th percentile latency, in milliseconds. */
  readonly p99: number
  readonly requests: number
  /** Socket errors and non-2xx answers: any of them means the round measured something else. */
  readonly errors: number
}

/** wrk's version line, installing wrk first if needed. Exits the bench when it cannot. */
export function ensureWrk(): string {
  return ensureCommand('wrk', 'wrk', version)
}

function version(): string | undefined {
  // `wrk -v` prints its version and usage, and exits 1.
  const result = spawnSync('wrk', ['-v'], { encoding: 'utf8' })
  if (result.error) return undefined
  const line = `${result.stdout}${result.stderr}`.split('\n').find((l) => l.startsWith('wrk '))
  return line?.trim().split(' [')[0] ?? 'wrk'
}

/** One wrk run against `url` for `seconds`, each request with `headers` (`Authorization`, `Origin`). */
export async function wrk(url: string, seconds: number, headers: Readonly<Record<string, string>> = {}): Promise<WrkResult> {
  const extra = Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`])
  return parse(await outputOf('wrk', [`-t${THREADS}`, `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', ...extra, url]))
}

/** Reads wrk's --latency report. */
export function parse(out: string): WrkResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out)
  const p99 = /^\s*99%\s+([\d.]+)(us|ms|s)\s*$/m.exec(out)
  const requests = /(\d+) requests in/.exec(out)
  if (!rps?.[1] || !p99?.[1] || !p99[2] || !requests?.[1]) throw new Error(`could not read wrk's report:\n${out}`)
  const unit = { us: 0.001, ms: 1, s: 1000 }[p99[2] as 'us' | 'ms' | 's']
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out)
  const errors = (socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0) + (non2xx ? Number(non2xx[1]) : 0)
  return { requestsPerSecond: Number(rps[1]), p99: Number(p99[1]) * unit, requests: Number(requests[1]), errors }
}
