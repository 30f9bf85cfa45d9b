/**
 * Scenario "proxy": one backend (the 2.3 KB user object) proxied, every contender in the same
 * run, rounds alternated: nginx direct (the limit), rxgate through its CLI with `json` and with
 * `no-op` encoding, the hand-written undici proxy piping bytes (the floor of `no-op`), the one
 * that checks the body with JSON.parse before sending it (the floor of `json`), @fastify/http-proxy
 * and fast-gateway. A peer that is not installed is skipped with a note.
 */
import { deepStrictEqual } from 'node:assert/strict'
import { availableParallelism } from 'node:os'
import type { Backends } from '../backends.js'
import { fixtures } from '../fixtures.js'
import { startScript, type Started } from '../processes.js'
import { profileUnderLoad } from '../profile-load.js'
import { loadFacts, type ContenderFigures } from '../report.js'
import { alternate, type Target } from '../rounds.js'
import { startRxgateCli } from '../rxgate-cli.js'
import type { Scenario } from '../scenario.js'
import { fmt, loadTable, roundErrors, rps, type Ratio } from '../table.js'

const PATH = '/users/1'
const SLOW_RATIO = 0.8
const WORKERS = 2
const WORKERS_NAME = `rxgate json -w ${WORKERS}`
const LOGGED_NAME = 'rxgate json, access log on'

/** rxgate's file: the same backend as a `json` endpoint and as a `no-op` one, access log off (or on). */
function config(backends: Backends, accessLog = false): object {
  const host = [backends.urls.users]
  return {
    version: 3,
    timeout: '800ms',
    extra_config: { router: { disable_access_log: !accessLog } },
    endpoints: [
      { endpoint: '/users/{id}', backend: [{ host, url_pattern: '/users/{id}' }] },
      { endpoint: '/raw/users/{id}', output_encoding: 'no-op', backend: [{ host, url_pattern: '/users/{id}', encoding: 'no-op' }] },
    ],
  }
}

const RATIOS: Ratio[] = [
  { label: 'rxgate json / hand-written json', numerator: 'rxgate json', denominator: 'hand-written json' },
  { label: 'rxgate json / hand-written', numerator: 'rxgate json', denominator: 'hand-written' },
  { label: 'rxgate no-op / hand-written', numerator: 'rxgate no-op', denominator: 'hand-written' },
  { label: 'rxgate json / fast-gateway', numerator: 'rxgate json', denominator: 'fast-gateway' },
  { label: 'rxgate no-op / fast-gateway', numerator: 'rxgate no-op', denominator: 'fast-gateway' },
  { label: 'rxgate json / @fastify/http-proxy', numerator: 'rxgate json', denominator: '@fastify/http-proxy' },
  { label: 'rxgate no-op / @fastify/http-proxy', numerator: 'rxgate no-op', denominator: '@fastify/http-proxy' },
  { label: `${WORKERS_NAME} / rxgate json`, numerator: WORKERS_NAME, denominator: 'rxgate json' },
  { label: `${LOGGED_NAME} / rxgate json`, numerator: LOGGED_NAME, denominator: 'rxgate json' },
  { label: 'hand-written / nginx direct', numerator: 'hand-written', denominator: 'nginx direct' },
]

async function sameBody(target: Target): Promise<void> {
  const res = await fetch(target.url)
  const text = await res.text()
  if (res.status !== 200) throw new Error(`${target.name} answered ${res.status}: ${text.slice(0, 300)}`)
  try {
    deepStrictEqual(JSON.parse(text), JSON.parse(fixtures.users.body))
  } catch (error) {
    throw new Error(`${target.name} does not answer with the backend's document: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/**
 * When rxgate json is under {@link SLOW_RATIO} of the hand-written floor (or BENCH_PROFILE=1; =0
 * never), the rounds' processes are stopped and rxgate json, rxgate no-op and the hand-written
 * proxy are profiled one at a time.
 */
async function maybeProfile(figures: readonly ContenderFigures[], processes: readonly Started[], backends: Backends, seconds: number): Promise<string | undefined> {
  const json = figures.find((f) => f.name === 'rxgate json')
  const hand = figures.find((f) => f.name === 'hand-written')
  const slow = json !== undefined && hand !== undefined && rps(json) / rps(hand) < SLOW_RATIO
  if (!(process.env.BENCH_PROFILE === '1' || (slow && process.env.BENCH_PROFILE !== '0'))) return undefined
  if (slow) console.log(`\nrxgate json reaches less than ${SLOW_RATIO} of the hand-written proxy: looking at where its time goes`)
  for (const started of processes) await started.stop()
  const span = Math.max(seconds, 10)
  const cli = (path: string) => async (nodeArgs: string[]) => {
    const rxgate = await startRxgateCli(config(backends), PATH, [], nodeArgs)
    return { url: `${rxgate.base}${path}`, process: rxgate.process }
  }
  const handWritten = async (nodeArgs: string[]) => {
    const { process: started, ready: port } = await startScript<number>('./contenders/hand-proxy.js', { BENCH_URLS: JSON.stringify(backends.urls) }, nodeArgs)
    return { url: `http://127.0.0.1:${port}${PATH}`, process: started }
  }
  return [
    await profileUnderLoad('rxgate json', cli(PATH), span),
    await profileUnderLoad('rxgate no-op', cli(`/raw${PATH}`), span),
    await profileUnderLoad('hand-written', handWritten, span),
  ].join('\n\n')
}

export const proxy: Scenario = async (context) => {
  console.log(`\n# proxy: one backend, nginx direct / rxgate json / rxgate no-op / ${WORKERS_NAME} / ${LOGGED_NAME} / hand-written / hand-written json / @fastify/http-proxy / fast-gateway`)
  const backends = await context.backends()
  const processes: Started[] = []
  const targets: Target[] = [{ name: 'nginx direct', url: `${backends.urls.users}${PATH}` }]
  const notes: string[] = []
  try {
    const rxgate = await startRxgateCli(config(backends), PATH)
    processes.push(rxgate.process)
    targets.push({ name: 'rxgate json', url: `${rxgate.base}${PATH}` }, { name: 'rxgate no-op', url: `${rxgate.base}/raw${PATH}` })
    // The same file with node:cluster workers: what `--workers` buys when wrk and nginx share the cores.
    const workers = await startRxgateCli(config(backends), PATH, ['--workers', String(WORKERS)])
    processes.push(workers.process)
    targets.push({ name: WORKERS_NAME, url: `${workers.base}${PATH}` })
    // The json endpoint with its access log on, at info level, written to a file as a collector reads it.
    const logged = await startRxgateCli(config(backends, true), PATH, [], [], { logLevel: 'info' })
    processes.push(logged.process)
    targets.push({ name: LOGGED_NAME, url: `${logged.base}${PATH}` })
    const scripts = [
      ['hand-written', './contenders/hand-proxy.js'],
      ['hand-written json', './contenders/json-floor.js'],
      ['@fastify/http-proxy', './contenders/fastify-proxy.js'],
      ['fast-gateway', './contenders/fast-gateway.js'],
    ] as const
    for (const [name, script] of scripts) {
      try {
        const { process: started, ready: port } = await startScript<number>(script, { BENCH_URLS: JSON.stringify(backends.urls) })
        processes.push(started)
        targets.push({ name, url: `http://127.0.0.1:${port}${PATH}` })
      } catch (error) {
        // A peer that cannot start (not installed, say) is left out, not the whole scenario.
        const note = `${name} skipped: ${error instanceof Error ? error.message : String(error)}`
        console.warn(`note: ${note}`)
        notes.push(note)
      }
    }
    for (const target of targets) await sameBody(target)
    console.log(`every contender answers with the backend's document (${Buffer.byteLength(fixtures.users.body)} bytes): timing`)
    const figures = await alternate(targets, context.rounds, context.seconds)
    const table = loadTable(figures, RATIOS)
    console.log(`\n${table}`)
    const errors = roundErrors(figures)
    for (const error of errors) console.warn(`warning: ${error}`)
    const profiles = await maybeProfile(figures, processes, backends, context.seconds)
    return `## Proxy of one backend: rxgate against the hand-written floor and the peers

\`GET ${PATH}\`: one backend (nginx serving a ${fmt(Buffer.byteLength(fixtures.users.body) / 1024, 1)} KB user object) proxied unchanged.
rxgate runs through its real CLI (\`node dist/bin/rxgate.js run -c FILE -p PORT -l silent\`, access
log disabled in the file): \`rxgate json\` is an endpoint with one backend and the default \`json\`
encodings (the body is parsed, which checks it; nothing changes the document, so its bytes are sent as
they came rather than serialized again), \`rxgate no-op\` the same backend with
\`output_encoding: "no-op"\` and backend \`encoding: "no-op"\` (bytes written through as they arrive), \`${WORKERS_NAME}\` the
json endpoint again from a CLI started with \`--workers ${WORKERS}\` (on a machine with ${availableParallelism()} cores, where
wrk and nginx run too, the workers have no core of their own), \`${LOGGED_NAME}\` the json endpoint from a CLI
with its access log on (\`-l info\`; one JSON line per request through pino's buffered asynchronous
destination, the CLI's stdout a file in its temp folder, as a log collector would read it, never a pipe
the bench reads). \`hand-written\` is
node:http + one undici \`Pool\` piping the body with the backend's end-to-end headers, as a \`no-op\`
endpoint passes them (\`perf/contenders/hand-proxy.ts\`), the floor of \`no-op\` endpoints;
\`hand-written json\` the same collecting the body and checking it with \`JSON.parse\` before
sending its bytes with their type and length (\`perf/contenders/json-floor.ts\`), what a careful
proxy that refuses invalid JSON does, the floor of \`json\` endpoints. Both floors send the backend
what rxgate sends every backend, as KrakenD does, and has no setting to leave out
(\`X-Forwarded-For\`, \`X-Forwarded-Host\`, \`User-Agent\`, \`Accept-Encoding\`: \`perf/forwarded.ts\`); \`@fastify/http-proxy\` runs on fastify 5 (\`perf/contenders/fastify-proxy.ts\`),
\`fast-gateway\` is 3.4.7 (\`perf/contenders/fast-gateway.ts\`; 5.x does not install from this
registry); \`nginx direct\` is wrk against the backend itself, the limit. Every answer is checked
equal to the backend's document before timing.

${loadFacts(context, backends, 'contender', [...notes, ...(errors.length > 0 ? [`errors during the run: ${errors.join('; ')}`] : [])])}

${table}

Ratios are of median req/s (above 1: the first is faster) and of median p99 (below 1: the first answers sooner).
${profiles === undefined ? '' : `
### Where the proxy's time goes

After the rounds, rxgate (json, then no-op) and the hand-written proxy again, each alone, under
\`node --cpu-prof\` and the same load, as in the aggregation's profile below.

\`\`\`
${profiles}
\`\`\`
`}`
  } finally {
    for (const started of processes) await started.stop()
  }
}
