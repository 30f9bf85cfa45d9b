/**
 * Scenario "big body": a ~100 MB JSON backend answer through an allow-list endpoint that keeps one
 * small key, rxgate (CLI) against buffer-and-JSON.parse by hand. One request at a time, each to a
 * fresh process, rounds alternated; per request the process's peak RSS growth (VmHWM after,
 * against VmRSS before, the peak reset first) and the wall time.
 */
import { deepStrictEqual } from 'node:assert/strict'
import { startBackends, type Backends } from '../backends.js'
import { BIG_PATH, KEPT, writeBigFixture } from '../big-fixture.js'
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

const MB = 1024 * 1024

function config(backends: Backends): object {
  return {
    version: 3,
    timeout: '60s',
    extra_config: { router: { disable_access_log: true } },
    endpoints: [{ endpoint: '/big', backend: [{ host: [backends.urls.users], url_pattern: BIG_PATH, allow: [KEPT] }] }],
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

export const bigBody: Scenario = async (context) => {
  console.log('\n# big body: ~100 MB of JSON through an allow-list of one small key, rxgate against buffer-and-parse')
  const big = writeBigFixture()
  console.log(`wrote ${fmt(big.bytes / MB, 1)} MB (${big.items} items, "${KEPT}" last)`)
  const backends = await startBackends({ files: { [BIG_PATH]: big.file } })
  const runners: Runner[] = [
    {
      name: 'rxgate',
      start: async () => {
        const rxgate = await startRxgateCli(config(backends), '/__health')
        return { pid: rxgate.pid, url: `${rxgate.base}/big`, process: rxgate.process }
      },
      rounds: [],
    },
    {
      name: 'buffer + JSON.parse',
      start: async () => {
        const env = { BENCH_URLS: JSON.stringify(backends.urls), BENCH_KEPT: KEPT }
        const { process: hand, ready: port } = await startScript<number>('./contenders/buffer-parse.js', env)
        return { pid: hand.child.pid ?? 0, url: `http://127.0.0.1:${port}${BIG_PATH}`, process: hand }
      },
      rounds: [],
    },
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

${table}`
  } finally {
    await backends.stop()
  }
}
