/**
 * Scenario "reload": what reloading the configuration costs while serving. Two CLIs run the same
 * file (the proxy of one backend and the 3-backend front page): one is left alone, the other is
 * sent SIGHUP every 100 ms while it is measured (its file read, checked, compiled and swapped in
 * each time, 50 reloads in a 5 s round), rounds alternated. Also the time one reload takes, in
 * this process, for the front page's file and for a file of 200 endpoints.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../lib/config/index.js'
import { createLogger } from '../../lib/logger.js'
import { compileGateway } from '../../lib/pipeline/compile.js'
import { Reloader } from '../../lib/reload/reloader.js'
import type { Backends } from '../backends.js'
import { aggregation, benchEndpoints, fixtures, REQUEST_PATH } from '../fixtures.js'
import { loadFacts, median, type ContenderFigures } from '../report.js'
import { line, WARM_UP_SECONDS } from '../rounds.js'
import { startRxgateCli, type RxgateCli } from '../rxgate-cli.js'
import type { Scenario } from '../scenario.js'
import { fmt, loadTable, roundErrors, type Ratio } from '../table.js'
import { wrk, type WrkResult } from '../wrk.js'

const PROXY_PATH = '/users/1'
const EVERY_MS = 100

const RATIOS: Ratio[] = [
  { label: 'proxy, reloading / steady', numerator: 'proxy, reloading', denominator: 'proxy' },
  { label: 'front page, reloading / steady', numerator: 'front page, reloading', denominator: 'front page' },
]

function file(backends: Backends, extraEndpoints = 0): object {
  const users = { host: [backends.urls.users], url_pattern: fixtures.users.template }
  return {
    version: 3,
    timeout: '800ms',
    extra_config: { router: { disable_access_log: true } },
    endpoints: [
      ...benchEndpoints(backends.urls),
      ...Array.from({ length: extraEndpoints }, (_, i) => ({ endpoint: `/extra/${i}/{id}`, backend: [{ ...users, allow: aggregation.users.allow }] })),
    ],
  }
}

/** The median time of one reload (read, check, compile, swap) of `config`, in this process. */
async function reloadMs(config: object, times: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'rxgate-bench-reload-'))
  const path = join(dir, 'krakend.json')
  writeFileSync(path, JSON.stringify(config))
  const logger = createLogger({ level: 'silent' })
  const loaded = (await loadConfig(path)).config
  const gateway = compileGateway(loaded, { logger })
  await gateway.listen(0, '127.0.0.1')
  try {
    const reloader = new Reloader(gateway, loaded, { file: path, logger })
    const ms: number[] = []
    for (let i = 0; i < times; i++) {
      const started = performance.now()
      const outcome = await reloader.reload()
      if (!outcome.reloaded) throw new Error(`the bench's file was refused: ${outcome.reason}`)
      ms.push(performance.now() - started)
    }
    return median(ms)
  } finally {
    await gateway.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** wrk on `url` for `seconds`; with `reloading`, SIGHUP to it every EVERY_MS meanwhile. */
async function measure(url: string, seconds: number, reloading: RxgateCli | undefined): Promise<WrkResult> {
  const timer = reloading && setInterval(() => process.kill(reloading.pid, 'SIGHUP'), EVERY_MS)
  try {
    return await wrk(url, seconds)
  } finally {
    clearInterval(timer)
  }
}

export const reload: Scenario = async (context) => {
  console.log(`\n# reload: the proxy and the front page, left alone, and reloaded by SIGHUP every ${EVERY_MS} ms while measured`)
  const backends = await context.backends()
  const frontPageMs = await reloadMs(file(backends), 30)
  const manyMs = await reloadMs(file(backends, 198), 30)
  console.log(`one reload, median of 30: ${fmt(frontPageMs, 1)} ms (2 endpoints), ${fmt(manyMs, 1)} ms (200 endpoints)`)

  const started: RxgateCli[] = []
  try {
    const steady = await startRxgateCli(file(backends), PROXY_PATH)
    started.push(steady)
    const reloaded = await startRxgateCli(file(backends), PROXY_PATH)
    started.push(reloaded)
    const targets = [
      { name: 'proxy', url: `${steady.base}${PROXY_PATH}`, reloading: undefined },
      { name: 'proxy, reloading', url: `${reloaded.base}${PROXY_PATH}`, reloading: reloaded },
      { name: 'front page', url: `${steady.base}${REQUEST_PATH}`, reloading: undefined },
      { name: 'front page, reloading', url: `${reloaded.base}${REQUEST_PATH}`, reloading: reloaded },
    ]
    const width = Math.max(...targets.map((target) => target.name.length))
    for (const target of targets) console.log(`${line(target.name, await measure(target.url, WARM_UP_SECONDS, target.reloading), width)}   (warm-up)`)
    const results: WrkResult[][] = targets.map(() => [])
    for (let round = 1; round <= context.rounds; round++) {
      for (const [i, target] of targets.entries()) {
        const result = await measure(target.url, context.seconds, target.reloading)
        results[i]!.push(result)
        console.log(`${line(target.name, result, width)}   (round ${round}/${context.rounds})`)
      }
    }
    const figures: ContenderFigures[] = targets.map((target, i) => ({ name: target.name, rounds: results[i]! }))
    const table = loadTable(figures, RATIOS)
    console.log(`\n${table}`)
    const errors = roundErrors(figures)
    for (const error of errors) console.warn(`warning: ${error}`)
    const timing = `one reload (read, check, compile, swap), median of 30 in the bench's process: ${fmt(frontPageMs, 1)} ms for this file, ${fmt(manyMs, 1)} ms for one of 200 endpoints`
    return `## Reload: serving while the file is reloaded

\`GET ${PROXY_PATH}\` proxied (one \`json\` backend) and \`GET ${REQUEST_PATH}\`, the 3-backend front
page, from two CLIs running the same file, access log off: one left alone, the other sent SIGHUP
every ${EVERY_MS} ms while it is measured (${Math.round((context.seconds * 1000) / EVERY_MS)} reloads a round, each one
reading, checking, compiling and swapping in the whole file), rounds alternated. wrk counts
every socket error and non-2xx answer among the errors.

${loadFacts(context, backends, 'contender', [timing, errors.length > 0 ? `errors during the run: ${errors.join('; ')}` : 'no errors during the run, reloads included'])}

${table}

Ratios are of median req/s (above 1: the first is faster) and of median p99 (below 1: the first answers sooner).
`
  } finally {
    for (const cli of started) await cli.process.stop()
  }
}
