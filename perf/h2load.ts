/**
 * The load generator of the protocols scenario: h2load (nghttp2's, Debian's nghttp2-client), which
 * speaks HTTP/1.1 and HTTP/2, over TLS or in clear, so that the protocols are measured by one
 * tool. One thread, a fixed number of connections, keep-alive, as wrk runs. Installed with
 * apt-get when missing and running as root; otherwise the bench says how and stops.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureCommand } from './apt.js'
import { outputOf } from './processes.js'
import type { WrkResult } from './wrk.js'

/** How h2load loads a URL: the protocol, the connections, and the streams each keeps in flight (HTTP/2). */
export interface H2Load {
  readonly protocol: 'http/1.1' | 'h2'
  readonly connections: number
  /** Requests in flight on each connection at once: 1 is HTTP/1.1's (and wrk's) way. */
  readonly streams: number
}

/** h2load's version line, installing it first if needed. Exits the bench when it cannot. */
export function ensureH2load(): string {
  return ensureCommand('h2load', 'nghttp2-client', version)
}

function version(): string | undefined {
  const result = spawnSync('h2load', ['--version'], { encoding: 'utf8' })
  if (result.error || result.status !== 0) return undefined
  return result.stdout.split('\n')[0]?.trim() || 'h2load'
}

/**
 * One h2load run against `url` for `seconds`: its req/s, and the 99th percentile of the latencies
 * it logged, one line per request (h2load's summary has no percentiles).
 */
export async function h2load(url: string, seconds: number, load: H2Load): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), 'rxgate-bench-h2load-'))
  const log = join(dir, 'requests.tsv')
  try {
    const args = ['-t1', `-c${load.connections}`, `-m${load.streams}`, `-D${seconds}`, `--log-file=${log}`, ...(load.protocol === 'http/1.1' ? ['--h1'] : []), url]
    const out = await outputOf('h2load', args)
    return { ...parse(out), p99: p99Of(readFileSync(log, 'utf8')) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Reads h2load's summary: req/s, requests done, and what failed (errors, timeouts, 4xx and 5xx answers). */
export function parse(out: string): Omit<WrkResult, 'p99'> {
  const rps = /finished in [\d.]+\w*, ([\d.]+) req\/s/.exec(out)
  const requests = /requests: \d+ total, \d+ started, (\d+) done, \d+ succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(out)
  const statuses = /status codes: \d+ 2xx, \d+ 3xx, (\d+) 4xx, (\d+) 5xx/.exec(out)
  if (!rps?.[1] || !requests || !statuses) throw new Error(`could not read h2load's report:\n${out}`)
  const [, done, failed, errored, timeout] = requests.map(Number) as [number, number, number, number, number]
  const errors = failed + errored + timeout + Number(statuses[1]) + Number(statuses[2])
  return { requestsPerSecond: Number(rps[1]), requests: done, errors }
}

/** The 99th percentile, in milliseconds, of the log's third column (each request's time, in microseconds). */
function p99Of(log: string): number {
  const times = log.split('\n').flatMap((line) => {
    const micros = Number(line.split('\t')[2])
    return Number.isFinite(micros) && line !== '' ? [micros] : []
  })
  if (times.length === 0) return Number.NaN
  times.sort((a, b) => a - b)
  return times[Math.min(times.length - 1, Math.ceil(times.length * 0.99) - 1)]! / 1000
}
