/**
 * `npm run bench`: the 3-backend aggregation through rxgate against a hand-written undici +
 * Promise.all aggregator, in one run. Backends, each contender and wrk run in processes of their
 * own; the rounds alternate between contenders so that machine drift falls on both alike.
 *
 * BENCH_ROUNDS (5) and BENCH_SECONDS (5) set the rounds; BENCH_BACKENDS=nginx|node forces the
 * backend server; BENCH_PROFILE=1 always profiles both contenders afterwards, =0 never (by
 * default: when the ratio is below 0.8). Only a full run (5 rounds of 5 s or more) rewrites
 * perf/RESULTS.md.
 */
import { startBackends, type Backends } from './backends.js'
import { interrupted, startScript, stopAll, stopAllOnExit, type Started } from './processes.js'
import { formatSummary, profileFlags, summarize } from './profile.js'
import { errorsSeen, machine, ratio, summary, writeResults, type ContenderFigures, type Report } from './report.js'
import { checkSameDocument } from './same-document.js'
import { REQUEST_PATH } from './fixtures.js'
import { CONNECTIONS, THREADS, ensureWrk, wrk, type WrkResult } from './wrk.js'

const WARM_UP_SECONDS = 3
const SLOW_RATIO = 0.8

interface Contender {
  readonly name: string
  readonly process: Started
  /** The aggregation endpoint, as wrk requests it. */
  readonly url: string
}

function setting(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1) {
    console.error(`${name} must be a whole number of at least 1, not "${raw}"`)
    process.exit(1)
  }
  return value
}

async function startContender(name: string, script: string, backends: Backends, nodeArgs: string[] = []): Promise<Contender> {
  const { process: started, ready: port } = await startScript<number>(script, { BENCH_URLS: JSON.stringify(backends.urls) }, nodeArgs)
  return { name, process: started, url: `http://127.0.0.1:${port}${REQUEST_PATH}` }
}

function line(name: string, result: WrkResult): string {
  const errors = result.errors > 0 ? `  (${result.errors} errors)` : ''
  return `${name.padEnd(13)} ${result.requestsPerSecond.toFixed(0).padStart(7)} req/s   p99 ${result.p99.toFixed(2).padStart(7)} ms${errors}`
}

/**
 * A contender again, alone, under `node --cpu-prof` and the same load; its profile summed up.
 * Both are profiled, so that what rxgate spends beyond the hand-written code shows.
 */
async function profile(name: string, script: string, backends: Backends, seconds: number): Promise<string> {
  const { dir, flags } = profileFlags()
  const profiled = await startContender(name, script, backends, flags)
  let result: WrkResult
  try {
    console.log(`\nprofiling ${name}: node --cpu-prof, wrk for ${seconds} s`)
    result = await wrk(profiled.url, seconds)
    console.log(`${line(name, result)}   (profiled)`)
  } finally {
    // The profile is written as the process exits.
    await profiled.process.stop(10_000)
  }
  const text = `${name}, profiled at ${result.requestsPerSecond.toFixed(0)} req/s: ${formatSummary(summarize(dir, result.requests))}`
  console.log(text)
  return text
}

async function main(): Promise<void> {
  const rounds = setting('BENCH_ROUNDS', 5)
  const seconds = setting('BENCH_SECONDS', 5)
  const wrkVersion = ensureWrk()
  const date = new Date()
  console.log(`rxgate bench: 3-backend aggregation, rxgate against hand-written undici + Promise.all`)
  console.log(`${date.toISOString()}, ${machine()}`)

  const backends = await startBackends()
  console.log(`backends: ${backends.server} (${Object.values(backends.urls).join(', ')})`)
  const rxgate = await startContender('rxgate', './contenders/rxgate.js', backends)
  const hand = await startContender('hand-written', './contenders/hand-written.js', backends)
  const contenders = [rxgate, hand] as const

  const { bytes } = await checkSameDocument(rxgate.url, hand.url)
  console.log(`same document from both (${bytes} bytes), rxgate complete: timing`)

  for (const contender of contenders) {
    const warm = await wrk(contender.url, WARM_UP_SECONDS)
    console.log(`${line(contender.name, warm)}   (warm-up)`)
  }
  const results: [WrkResult[], WrkResult[]] = [[], []]
  for (let round = 1; round <= rounds; round++) {
    for (const [i, contender] of contenders.entries()) {
      const result = await wrk(contender.url, seconds)
      results[i]!.push(result)
      console.log(`${line(contender.name, result)}   (round ${round}/${rounds})`)
    }
  }

  const figures: [ContenderFigures, ContenderFigures] = [
    { name: rxgate.name, rounds: results[0] },
    { name: hand.name, rounds: results[1] },
  ]
  const env = Object.entries(process.env).filter(([key]) => key.startsWith('BENCH_') && key !== 'BENCH_URLS')
  const report: Report = {
    date,
    command: [...env.map(([key, value]) => `${key}=${value}`), 'npm run bench'].join(' '),
    rounds,
    seconds,
    wrk: wrkVersion,
    load: `-t${THREADS} -c${CONNECTIONS} --latency, GET ${REQUEST_PATH}`,
    backends: backends.server,
    documentBytes: bytes,
    contenders: figures,
  }
  console.log(`\n${summary(report)}`)
  for (const error of errorsSeen(report)) console.warn(`warning: ${error}`)

  const slow = ratio(report) < SLOW_RATIO
  const wanted = process.env.BENCH_PROFILE === '1' || (slow && process.env.BENCH_PROFILE !== '0')
  let profiles: string | undefined
  if (wanted) {
    if (slow) console.log(`\nrxgate reaches less than ${SLOW_RATIO} of the hand-written throughput: looking at where its time goes`)
    // One process at a time, so that each has the machine the rounds gave it.
    await rxgate.process.stop()
    await hand.process.stop()
    const span = Math.max(seconds, 10)
    profiles = [
      await profile(rxgate.name, './contenders/rxgate.js', backends, span),
      await profile(hand.name, './contenders/hand-written.js', backends, span),
    ].join('\n\n')
  }

  if (rounds >= 5 && seconds >= 5) console.log(`\nwrote ${writeResults({ ...report, ...(profiles ? { profile: profiles } : {}) })}`)
  else console.log('\nperf/RESULTS.md not written: a short run (write it with at least 5 rounds of 5 s)')
}

stopAllOnExit()
try {
  await main()
} catch (error) {
  if (!interrupted()) console.error(`\nbench failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
} finally {
  await stopAll()
}
// Nothing of the bench's own may keep it alive (fetch's keep-alive sockets, say).
process.exit()
