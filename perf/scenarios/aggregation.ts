/**
 * Scenario "aggregation": the 3-backend front page through rxgate against a hand-written undici +
 * Promise.all aggregator, both checked to serve the same document before timing. When rxgate is
 * well below the hand-written throughput (or BENCH_PROFILE=1), both are profiled afterwards.
 */
import type { Backends } from '../backends.js'
import { REQUEST_PATH } from '../fixtures.js'
import { startScript, type Started } from '../processes.js'
import { profileUnderLoad } from '../profile-load.js'
import { aggregationSection, errorsSeen, ratio, summary, type Report } from '../report.js'
import { alternate } from '../rounds.js'
import { checkSameDocument } from '../same-document.js'
import type { Scenario } from '../scenario.js'
import { CONNECTIONS, THREADS } from '../wrk.js'

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
      await profileUnderLoad(rxgate.name, (flags) => startContender(rxgate.name, './contenders/rxgate.js', backends, flags), span),
      await profileUnderLoad(hand.name, (flags) => startContender(hand.name, './contenders/hand-written.js', backends, flags), span),
    ].join('\n\n')
    return aggregationSection({ ...report, profile: profiles })
  } finally {
    await rxgate.process.stop()
    await hand.process.stop()
  }
}
