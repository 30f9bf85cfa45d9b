/**
 * Scenario "protocols": the same proxied endpoint over each protocol rxgate serves, measured by
 * one load generator (h2load) so that the protocols compare: HTTP/1.1, cleartext HTTP/2 (h2c),
 * HTTPS with HTTP/1.1, HTTPS with HTTP/2 (one stream per connection, as HTTP/1.1 keeps one
 * request, and ten streams on each of five connections). Rounds alternated, as the others.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Backends } from '../backends.js'
import { freePort, has } from '../backends.js'
import { fixtures } from '../fixtures.js'
import { ensureH2load, h2load, type H2Load } from '../h2load.js'
import { atStop, start, type Started } from '../processes.js'
import { median, machine, type ContenderFigures } from '../report.js'
import { WARM_UP_SECONDS, line } from '../rounds.js'
import { startRxgateCli } from '../rxgate-cli.js'
import type { Scenario } from '../scenario.js'
import { fmt, loadTable, roundErrors, type Ratio } from '../table.js'
import type { WrkResult } from '../wrk.js'

const PATH = '/users/1'
const CLI = fileURLToPath(new URL('../../bin/rxgate.js', import.meta.url))

interface Contender {
  readonly name: string
  readonly url: string
  readonly load: H2Load
  /** The rxgate process serving it, whose CPU time each round reads. */
  readonly pid: number
}

/** A contender's rounds, and the CPU time its rxgate process spent per request in each, in microseconds. */
interface Measured extends ContenderFigures {
  readonly cpu: readonly number[]
}

/** The CPU time a process has used (user and system), in microseconds (Linux's /proc, ticks of 10 ms). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10_000
}

const ONE_STREAM = { connections: 50, streams: 1 } as const
const MULTIPLEXED = { connections: 5, streams: 10 } as const

const RATIOS: Ratio[] = [
  { label: 'h2c / HTTP/1.1', numerator: 'h2c', denominator: 'HTTP/1.1' },
  { label: 'HTTP/1.1 on the use_h2c port / HTTP/1.1', numerator: 'HTTP/1.1 on the use_h2c port', denominator: 'HTTP/1.1' },
  { label: 'HTTPS HTTP/1.1 / HTTP/1.1', numerator: 'HTTPS HTTP/1.1', denominator: 'HTTP/1.1' },
  { label: 'HTTPS HTTP/2 / HTTPS HTTP/1.1', numerator: 'HTTPS HTTP/2', denominator: 'HTTPS HTTP/1.1' },
  { label: 'HTTPS HTTP/2 5x10 / HTTPS HTTP/2', numerator: 'HTTPS HTTP/2 5x10', denominator: 'HTTPS HTTP/2' },
]

/** rxgate's file: one `json` endpoint, access log off; `extra` adds tls or use_h2c. */
function config(backends: Backends, extra: object = {}): object {
  return {
    version: 3,
    timeout: '800ms',
    ...extra,
    extra_config: { router: { disable_access_log: true } },
    endpoints: [{ endpoint: '/users/{id}', backend: [{ host: [backends.urls.users], url_pattern: '/users/{id}' }] }],
  }
}

/** A CA and a certificate for localhost, made with openssl in a temp folder removed when the bench stops. */
function certificates(): { dir: string; ca: Buffer; cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rxgate-bench-tls-'))
  atStop(() => rmSync(dir, { recursive: true, force: true }))
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' })
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=bench CA')
  openssl('req', ...ec, '-keyout', 'key.pem', '-out', 'cert.csr', '-subj', '/CN=localhost')
  writeFileSync(join(dir, 'cert.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n')
  openssl('x509', '-req', '-in', 'cert.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'cert.pem', '-days', '2', '-extfile', 'cert.ext')
  return { dir, ca: readFileSync(join(dir, 'ca.pem')), cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') }
}

/** rxgate's CLI on an HTTPS file, once it answers `probePath` (startRxgateCli probes plain HTTP). */
async function startHttps(file: object, dir: string, ca: Buffer): Promise<{ process: Started; base: string }> {
  const path = join(dir, 'krakend.json')
  writeFileSync(path, JSON.stringify(file, null, 2))
  const port = await freePort()
  const args = [CLI, 'run', '-c', path, '-p', String(port), '-l', 'silent']
  const cli = has('setpriv') ? start('setpriv', ['--pdeathsig', 'SIGTERM', process.execPath, ...args]) : start(process.execPath, args)
  const base = `https://localhost:${port}`
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    if (cli.child.exitCode !== null) throw new Error(`rxgate exited (code ${cli.child.exitCode}): see its output above (config ${path})`)
    const status = await new Promise<number>((resolve) => {
      request(`${base}${PATH}`, { ca, agent: false }, (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      })
        .on('error', () => resolve(0))
        .end()
    })
    if (status === 200) return { process: cli, base }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  await cli.stop()
  throw new Error(`rxgate did not answer on ${base}${PATH} within 10 s (config ${path})`)
}

/** Median CPU microseconds per request of each contender, and its ratio to HTTP/1.1's. */
function cpuPerRequest(figures: readonly Measured[]): string {
  const base = median(figures[0]!.cpu)
  return [
    '| contender | CPU per request (median) | / HTTP/1.1 | per round |',
    '|---|---:|---:|---|',
    ...figures.map((f) => `| ${f.name} | ${fmt(median(f.cpu), 0)} us | ${fmt(median(f.cpu) / base, 2)}x | ${f.cpu.map((c) => fmt(c, 0)).join(', ')} |`),
  ].join('\n')
}

async function alternate(contenders: readonly Contender[], rounds: number, seconds: number): Promise<Measured[]> {
  const width = Math.max(...contenders.map((c) => c.name.length))
  for (const contender of contenders) {
    const warm = await h2load(contender.url, WARM_UP_SECONDS, contender.load)
    console.log(`${line(contender.name, warm, width)}   (warm-up)`)
  }
  const results: WrkResult[][] = contenders.map(() => [])
  const cpu: number[][] = contenders.map(() => [])
  for (let round = 1; round <= rounds; round++) {
    for (const [i, contender] of contenders.entries()) {
      const before = cpuMicros(contender.pid)
      const result = await h2load(contender.url, seconds, contender.load)
      const perRequest = (cpuMicros(contender.pid) - before) / Math.max(1, result.requests)
      results[i]!.push(result)
      cpu[i]!.push(perRequest)
      console.log(`${line(contender.name, result, width)}   ${fmt(perRequest, 0).padStart(4)} us CPU/request   (round ${round}/${rounds})`)
    }
  }
  return contenders.map((contender, i) => ({ name: contender.name, rounds: results[i]!, cpu: cpu[i]! }))
}

export const protocols: Scenario = async (context) => {
  console.log('\n# protocols: one proxied endpoint over HTTP/1.1, h2c, HTTPS with HTTP/1.1 and with HTTP/2, all loaded by h2load')
  const h2loadVersion = ensureH2load()
  const backends = await context.backends()
  const processes: Started[] = []
  try {
    const tls = certificates()
    const plain = await startRxgateCli(config(backends), PATH)
    const h2c = await startRxgateCli(config(backends, { use_h2c: true }), PATH)
    processes.push(plain.process, h2c.process)
    const https = await startHttps(config(backends, { tls: { keys: [{ public_key: tls.cert, private_key: tls.key }] } }), tls.dir, tls.ca)
    processes.push(https.process)
    const httpsPid = https.process.child.pid ?? 0
    const contenders: Contender[] = [
      { name: 'HTTP/1.1', url: `${plain.base}${PATH}`, load: { protocol: 'http/1.1', ...ONE_STREAM }, pid: plain.pid },
      { name: 'HTTP/1.1 on the use_h2c port', url: `${h2c.base}${PATH}`, load: { protocol: 'http/1.1', ...ONE_STREAM }, pid: h2c.pid },
      { name: 'h2c', url: `${h2c.base}${PATH}`, load: { protocol: 'h2', ...ONE_STREAM }, pid: h2c.pid },
      { name: 'HTTPS HTTP/1.1', url: `${https.base}${PATH}`, load: { protocol: 'http/1.1', ...ONE_STREAM }, pid: httpsPid },
      { name: 'HTTPS HTTP/2', url: `${https.base}${PATH}`, load: { protocol: 'h2', ...ONE_STREAM }, pid: httpsPid },
      { name: 'HTTPS HTTP/2 5x10', url: `${https.base}${PATH}`, load: { protocol: 'h2', ...MULTIPLEXED }, pid: httpsPid },
    ]
    const figures = await alternate(contenders, context.rounds, context.seconds)
    const table = loadTable(figures, RATIOS)
    const cpuTable = cpuPerRequest(figures)
    console.log(`\n${table}\n\n${cpuTable}`)
    const errors = roundErrors(figures)
    for (const error of errors) console.warn(`warning: ${error}`)
    const facts = [
      `- date: ${context.date.toISOString()}`,
      `- machine: ${machine()}`,
      `- command: \`${context.command}\``,
      `- load: ${h2loadVersion}, one thread; ${ONE_STREAM.connections} connections with one request at a time each (as wrk's), or ${MULTIPLEXED.connections} connections with ${MULTIPLEXED.streams} streams each (5x10); ${context.rounds} rounds of ${context.seconds} s per contender, alternated round by round, after a ${WARM_UP_SECONDS} s warm-up each; p99 from h2load's log of every request`,
      `- backends: ${backends.server}, in their own process`,
      ...(errors.length > 0 ? [`- errors during the run: ${errors.join('; ')}`] : []),
    ].join('\n')
    const median1 = (name: string) => median(figures.find((f) => f.name === name)?.rounds.map((r) => r.requestsPerSecond) ?? [])
    return `## Protocols: one endpoint over HTTP/1.1, h2c, HTTPS and HTTP/2

\`GET ${PATH}\`: one backend (nginx serving a ${fmt(Buffer.byteLength(fixtures.users.body) / 1024, 1)} KB user object) through rxgate's \`json\`
endpoint, its CLI started three times: plain, with \`use_h2c\`, and with \`tls\` (an ECDSA P-256
certificate, KrakenD's defaults: TLS 1.3). h2load loads each over the protocol named, so that the
protocols are measured by one tool; TLS handshakes happen once per connection (keep-alive), and
the ratios are what each protocol costs per request. HTTPS HTTP/2 serves ${fmt(median1('HTTPS HTTP/2'), 0)} req/s with one stream per connection.

${facts}

${table}

Ratios are of median req/s (above 1: the first is faster) and of median p99 (below 1: the first answers sooner).

What each request cost the rxgate process in CPU (user and system time from /proc, over each round's
requests), which a busy machine changes less than req/s:

${cpuTable}
`
  } finally {
    for (const started of processes) await started.stop()
  }
}
