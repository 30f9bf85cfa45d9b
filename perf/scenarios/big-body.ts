/**
 * Scenario "big body", two parts, rxgate (CLI) against buffer-and-JSON.parse by hand, each round
 * to a fresh process, rounds alternated:
 * - a ~100 MB JSON backend answer through an allow-list endpoint that keeps one small key, one
 *   request at a time; per request the process's peak RSS growth (VmHWM after, against VmRSS
 *   before, the peak reset first) and the wall time;
 * - a 20 MiB document passed whole (one backend, nothing to change it), 10 requests at once; per
 *   round the process's peak RSS (VmHWM, reset once idle) and each request's wall time, every
 *   answer checked byte for byte against the backend's file.
 */
import { deepStrictEqual } from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { get } from 'node:http'
import { startBackends, type Backends } from '../backends.js'
import { BIG_PATH, KEPT, WHOLE_PATH, writeBigFixture, type BigFixture } from '../big-fixture.js'
import { peak, resetPeak, rss } from '../memory.js'
import { startScript, type Started } from '../processes.js'
import { machine, median } from '../report.js'
import { startRxgateCli } from '../rxgate-cli.js'
import type { Scenario } from '../scenario.js'
import { fmt } from '../table.js'

interface Measured {
  readonly ms: number
  /** Peak RSS growth over the request, bytes. */
  readonly growth: number
  readonly before: number
}

/** A contender's process, started fresh for each request so that the heap a previous one kept does not hide the growth. */
interface Instance {
  readonly pid: number
  readonly url: string
  readonly process: Started
}

interface Runner {
  readonly name: string
  start(): Promise<Instance>
  readonly rounds: Measured[]
}

/** One round of the passed-whole part: `AT_ONCE` requests at once to a fresh process. */
interface Batch {
  /** Each request's wall time, ms. */
  readonly times: readonly number[]
  /** From the first request sent to the last answer read, ms. */
  readonly wall: number
  /** The process's peak RSS over the round (VmHWM, reset once idle), bytes. */
  readonly peak: number
  readonly before: number
  /** The process's CPU time (user + system) over the round, per request, ms: robust on a shared machine. */
  readonly cpu: number
}

interface WholeRunner {
  readonly name: string
  start(): Promise<Instance>
  readonly rounds: Batch[]
}

const MB = 1024 * 1024
const WHOLE_BYTES = 20 * MB
const AT_ONCE = 10

function config(backends: Backends): object {
  return {
    version: 3,
    timeout: '60s',
    extra_config: { router: { disable_access_log: true } },
    endpoints: [
      { endpoint: '/big', backend: [{ host: [backends.urls.users], url_pattern: BIG_PATH, allow: [KEPT] }] },
      { endpoint: '/whole', backend: [{ host: [backends.urls.users], url_pattern: WHOLE_PATH }] },
    ],
  }
}

async function measure(runner: Runner, expected: unknown): Promise<Measured> {
  const instance = await runner.start()
  try {
    // Let start-up settle before the baseline is read.
    await new Promise((resolve) => setTimeout(resolve, 300))
    const resettable = resetPeak(instance.pid)
    const before = rss(instance.pid)
    const started = performance.now()
    const res = await fetch(instance.url)
    const text = await res.text()
    const ms = performance.now() - started
    const after = peak(instance.pid)
    if (res.status !== 200) throw new Error(`${runner.name} answered ${res.status}: ${text.slice(0, 300)}`)
    deepStrictEqual(JSON.parse(text), expected)
    if (!resettable) console.warn(`note: could not reset ${runner.name}'s peak RSS: its growth counts from its start`)
    return { ms, growth: after - before, before }
  } finally {
    await instance.process.stop()
  }
}

/** A process's CPU time so far (user + system, /proc/PID/stat), ms. */
function cpuTime(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  // utime and stime are the 14th and 15th fields, counted from the pid; in clock ticks of 10 ms
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/** GETs `url`, reading the answer as it comes: its wall time, once checked to be 200 and the expected bytes. */
function fetchWhole(url: string, expected: { readonly bytes: number; readonly sha1: string }): Promise<number> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      const hash = createHash('sha1')
      let bytes = 0
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length
        hash.update(chunk)
      })
      res.on('error', reject)
      res.on('end', () => {
        const ms = performance.now() - started
        if (res.statusCode !== 200) return reject(new Error(`answered ${res.statusCode}`))
        const sha1 = hash.digest('hex')
        if (bytes !== expected.bytes || sha1 !== expected.sha1) return reject(new Error(`answered ${bytes} bytes (sha1 ${sha1}), not the document's ${expected.bytes}`))
        resolve(ms)
      })
    }).on('error', reject)
  })
}

async function measureBatch(runner: WholeRunner, expected: { readonly bytes: number; readonly sha1: string }): Promise<Batch> {
  const instance = await runner.start()
  try {
    await new Promise((resolve) => setTimeout(resolve, 300))
    const resettable = resetPeak(instance.pid)
    const before = rss(instance.pid)
    const cpuBefore = cpuTime(instance.pid)
    const started = performance.now()
    const times = await Promise.all(Array.from({ length: AT_ONCE }, () => fetchWhole(instance.url, expected)))
    const wall = performance.now() - started
    const cpu = (cpuTime(instance.pid) - cpuBefore) / AT_ONCE
    if (!resettable) console.warn(`note: could not reset ${runner.name}'s peak RSS: it counts from its start`)
    return { times, wall, peak: peak(instance.pid), before, cpu }
  } finally {
    await instance.process.stop()
  }
}

/** rxgate's CLI on the scenario's file, asked at `path`. */
async function startRxgate(backends: Backends, path: string): Promise<Instance> {
  const rxgate = await startRxgateCli(config(backends), '/__health')
  return { pid: rxgate.pid, url: `${rxgate.base}${path}`, process: rxgate.process }
}

/** The hand-written contender (perf/contenders/buffer-parse.ts) with `env`, asked at the backend's `path`. */
async function startBufferParse(backends: Backends, path: string, env: Record<string, string>): Promise<Instance> {
  const { process: hand, ready: port } = await startScript<number>('./contenders/buffer-parse.js', { BENCH_URLS: JSON.stringify(backends.urls), ...env })
  return { pid: hand.child.pid ?? 0, url: `http://127.0.0.1:${port}${path}`, process: hand }
}

/** The passed-whole part: its table, printed, and its section. */
async function passedWhole(context: Parameters<Scenario>[0], backends: Backends, whole: BigFixture): Promise<string> {
  console.log(`\n# passed whole: a ${fmt(whole.bytes / MB, 1)} MB document, one backend, nothing to change it, ${AT_ONCE} requests at once`)
  const expected = { bytes: whole.bytes, sha1: createHash('sha1').update(readFileSync(whole.file)).digest('hex') }
  const runners: WholeRunner[] = [
    { name: 'rxgate', start: () => startRxgate(backends, '/whole'), rounds: [] },
    { name: 'buffer + JSON.parse + send', start: () => startBufferParse(backends, WHOLE_PATH, { BENCH_WHOLE: '1' }), rounds: [] },
  ]
  for (let round = 1; round <= context.rounds; round++) {
    for (const runner of runners) {
      const b = await measureBatch(runner, expected)
      runner.rounds.push(b)
      console.log(
        `${runner.name.padEnd(28)} per request ${fmt(median([...b.times]), 0).padStart(5)} ms (median of ${AT_ONCE}), CPU ${fmt(b.cpu, 0).padStart(4)} ms, all ${fmt(b.wall, 0).padStart(5)} ms, ` +
          `peak RSS ${fmt(b.peak / MB, 1).padStart(6)} MB (from ${fmt(b.before / MB, 1)} MB)   (round ${round}/${context.rounds})`,
      )
    }
  }
  const perRequest = (r: WholeRunner) => median(r.rounds.map((b) => median([...b.times])))
  const wall = (r: WholeRunner) => median(r.rounds.map((b) => b.wall))
  const peakOf = (r: WholeRunner) => median(r.rounds.map((b) => b.peak))
  const cpuOf = (r: WholeRunner) => median(r.rounds.map((b) => b.cpu))
  const row = (r: WholeRunner) =>
    `| ${r.name} | ${fmt(perRequest(r), 0)} ms | ${fmt(cpuOf(r), 0)} ms | ${fmt(wall(r), 0)} ms | ${fmt(peakOf(r) / MB, 1)} MB | ${fmt(Math.max(...r.rounds.map((b) => b.peak)) / MB, 1)} MB | ${fmt(median(r.rounds.map((b) => b.before)) / MB, 1)} MB |`
  const [rx, hw] = runners as [WholeRunner, WholeRunner]
  const table = [
    `| contender | time per request (median) | CPU per request (median) | all ${AT_ONCE} (median) | peak RSS (median) | peak RSS (max) | RSS before (median) |`,
    '|---|---:|---:|---:|---:|---:|---:|',
    row(rx),
    row(hw),
    `| **rxgate / buffer + JSON.parse + send** | **${fmt(perRequest(rx) / perRequest(hw), 2)}x** | **${fmt(cpuOf(rx) / cpuOf(hw), 2)}x** | **${fmt(wall(rx) / wall(hw), 2)}x** | **${fmt(peakOf(rx) / peakOf(hw), 2)}x** | | |`,
  ].join('\n')
  console.log(`\n${table}`)
  return `## A 20 MB document passed whole, ${AT_ONCE} at once: peak memory and time

\`GET /whole\`: one backend answering ${fmt(whole.bytes / MB, 1)} MB of JSON (the same catalogue items,
${whole.items} of them), served by ${backends.server}, through an endpoint with that one backend and
nothing to change its document. The hand-written contender buffers the body, checks it with
\`JSON.parse\` and sends the bytes it buffered, with their length (\`perf/contenders/buffer-parse.ts\`,
\`BENCH_WHOLE=1\`). Each round starts the contender afresh, resets its peak RSS once it is idle,
sends ${AT_ONCE} requests at once and reads every answer as it comes, checking each one byte for
byte (length and SHA-1) against the backend's file; the peak RSS is the process's VmHWM over the
round, the times are each request's wall time (first byte sent to last byte read) and the
round's, and the CPU time is the process's (user + system, \`/proc/PID/stat\`) over the round,
divided by the requests: the steadier figure on a machine the contenders share with the backend
and the client. Target: peak RSS under 400 MB, at a time per request no worse than the
hand-written.

- ${context.rounds} rounds per contender, alternated

${table}`
}

export const bigBody: Scenario = async (context) => {
  console.log('\n# big body: ~100 MB of JSON through an allow-list of one small key, rxgate against buffer-and-parse')
  const big = writeBigFixture()
  console.log(`wrote ${fmt(big.bytes / MB, 1)} MB (${big.items} items, "${KEPT}" last)`)
  const whole = writeBigFixture(WHOLE_BYTES)
  const backends = await startBackends({ files: { [BIG_PATH]: big.file, [WHOLE_PATH]: whole.file } })
  const runners: Runner[] = [
    { name: 'rxgate', start: () => startRxgate(backends, '/big'), rounds: [] },
    { name: 'buffer + JSON.parse', start: () => startBufferParse(backends, BIG_PATH, { BENCH_KEPT: KEPT }), rounds: [] },
  ]
  try {

    const expected = { [KEPT]: big.items }
    const show = (runner: Runner, m: Measured, label: string) =>
      console.log(`${runner.name.padEnd(20)} ${fmt(m.ms, 0).padStart(6)} ms   peak RSS +${fmt(m.growth / MB, 1).padStart(6)} MB (from ${fmt(m.before / MB, 1)} MB)   (${label})`)
    for (let round = 1; round <= context.rounds; round++) {
      for (const runner of runners) {
        const m = await measure(runner, expected)
        runner.rounds.push(m)
        show(runner, m, `round ${round}/${context.rounds}`)
      }
    }

    const row = (r: Runner) =>
      `| ${r.name} | ${fmt(median(r.rounds.map((m) => m.ms)), 0)} ms | ${fmt(median(r.rounds.map((m) => m.growth)) / MB, 1)} MB | ${fmt(Math.max(...r.rounds.map((m) => m.growth)) / MB, 1)} MB | ${fmt(median(r.rounds.map((m) => m.before)) / MB, 1)} MB |`
    const [rx, hw] = runners as [Runner, Runner]
    const table = [
      '| contender | time (median) | peak RSS growth (median) | peak RSS growth (max) | RSS before (median) |',
      '|---|---:|---:|---:|---:|',
      row(rx),
      row(hw),
      `| **rxgate / buffer + JSON.parse** | **${fmt(median(rx.rounds.map((m) => m.ms)) / median(hw.rounds.map((m) => m.ms)), 2)}x** | **${fmt(median(rx.rounds.map((m) => m.growth)) / median(hw.rounds.map((m) => m.growth)), 2)}x** | | |`,
    ].join('\n')
    console.log(`\n${table}`)
    return `## A 100 MB body through an allow-list: peak memory and time

\`GET /big\`: one backend answering ${fmt(big.bytes / MB, 1)} MB of JSON (${big.items} catalogue items, then one
small key, \`${KEPT}\`, last, so the whole body must be read), generated once into a temp file and
served by ${backends.server}. rxgate runs it through its CLI as an endpoint whose one backend has
\`allow: ["${KEPT}"]\` (the body streams through the token-level filter past 1 MiB); the hand-written
contender buffers the body, \`JSON.parse\`s it and keeps the key (\`perf/contenders/buffer-parse.ts\`).
One request at a time, each to a freshly started process (so the heap an earlier request left
behind neither hides nor inflates the growth, and the code is cold, as for a first big request):
the process's peak RSS is reset (\`/proc/PID/clear_refs\`) once it is idle, then its growth is
VmHWM after the answer minus VmRSS before the request. Time is the client's wall time for the
whole answer. Target: growth under 64 MB.

- date: ${context.date.toISOString()}
- machine: ${machine()}
- command: \`${context.command}\`
- ${context.rounds} rounds per contender, alternated

${table}

${await passedWhole(context, backends, whole)}`
  } finally {
    await backends.stop()
  }
}
