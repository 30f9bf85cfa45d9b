/**
 * Scenario "aggregation": the 3-backend front page through rxgate against a hand-written undici +
 * Promise.all aggregator, both checked to serve the same document before timing. When rxgate is
 * well below the hand-written throughput (or BENCH_PROFILE=1), both are profiled afterwards.
 */
import type { Backends } from '../backends.js'
import { REQUEST_PATH } from '../fixtures.js'
import { startScript, type Started } from '../processes.js'
import { formatSummary, profileFlags, summarize } from '../profile.js'
import { aggregationSection, errorsSeen, ratio, summary, type Report } from '../report.js'
import { alternate, line } from '../rounds.js'
import { checkSameDocument } from '../same-document.js'
import type { Scenario } from '../scenario.js'
import { CONNECTIONS, THREADS, wrk, type WrkResult } from '../wrk.js'

const SLOW_RATIO = 0.8

interface Contender {
  readonly name: string
  readonly process: Started
  readonly url: string
}

async function startContender(name: string, script: string, backends: Backends, nodeArgs: string[] = []): Promise<Contender> {
  const { process: started, ready: port } = await startScript<number>(script, { BENCH_URLS: JSON.stringify(backends.urls) }, nodeArgs)
  return { name, process: started, url: `http://127.0.0.1:${port}${REQUEST_PATH}` }
}

/** A contender again, alone, under `node --cpu-prof` and the same load; its profile summed up. */
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

export const aggregation: Scenario = async (context) => {
  console.log('\n# aggregation: 3 backends, rxgate against hand-written undici + Promise.all')
  const backends = await context.backends()
  const rxgate = await startContender('rxgate', './contenders/rxgate.js', backends)
  const hand = await startContender('hand-written', './contenders/hand-written.js', backends)
  try {
    const { bytes } = await checkSameDocument(rxgate.url, hand.url)
    console.log(`same document from both (${bytes} bytes), rxgate complete: timing`)
    const [rx, hw] = await alternate([rxgate, hand], context.rounds, context.seconds)
    const report: Report = {
      date: context.date,
      command: context.command,
      rounds: context.rounds,
      seconds: context.seconds,
      wrk: context.wrk,
      load: `-t${THREADS} -c${CONNECTIONS} --latency, GET ${REQUEST_PATH}`,
      backends: backends.server,
      documentBytes: bytes,
      contenders: [rx!, hw!],
    }
    console.log(`\n${summary(report)}`)
    for (const error of errorsSeen(report)) console.warn(`warning: ${error}`)

    const slow = ratio(report) < SLOW_RATIO
    const wanted = process.env.BENCH_PROFILE === '1' || (slow && process.env.BENCH_PROFILE !== '0')
    if (!wanted) return aggregationSection(report)
    if (slow) console.log(`\nrxgate reaches less than ${SLOW_RATIO} of the hand-written throughput: looking at where its time goes`)
    // One process at a time, so that each has the machine the rounds gave it.
    await rxgate.process.stop()
    await hand.process.stop()
    const span = Math.max(context.seconds, 10)
    const profiles = [
      await profile(rxgate.name, './contenders/rxgate.js', backends, span),
      await profile(hand.name, './contenders/hand-written.js', backends, span),
    ].join('\n\n')
    return aggregationSection({ ...report, profile: profiles })
  } finally {
    await rxgate.process.stop()
    await hand.process.stop()
  }
}
