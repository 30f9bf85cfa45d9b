/**
 * Scenario "adapters": one gateway, the proxy of one `json` backend, served by its own server
 * (`listen`), from node:http through `gw.handler()`, mounted in an express 5 app and registered
 * in a fastify 5 app (perf/contenders/rxgate-hosted.ts), rounds alternated: what serving rxgate
 * from another server costs.
 */
import { deepStrictEqual } from 'node:assert/strict'
import { fixtures } from '../fixtures.js'
import { startScript, type Started } from '../processes.js'
import { loadFacts } from '../report.js'
import { alternate, type Target } from '../rounds.js'
import type { Scenario } from '../scenario.js'
import { loadTable, roundErrors, type Ratio } from '../table.js'

const PATH = '/users/1'
const HOSTS = [
  ['rxgate listen', 'listen'],
  ['rxgate in node:http', 'node'],
  ['rxgate in express 5', 'express'],
  ['rxgate in fastify 5', 'fastify'],
] as const

const RATIOS: Ratio[] = HOSTS.slice(1).map(([name]) => ({ label: `${name} / listen`, numerator: name, denominator: 'rxgate listen' }))

export const adapters: Scenario = async (context) => {
  console.log(`\n# adapters: one json backend proxied by one gateway, ${HOSTS.map(([name]) => name).join(' / ')}`)
  const backends = await context.backends()
  const processes: Started[] = []
  try {
    const targets: Target[] = []
    for (const [name, host] of HOSTS) {
      const { process: started, ready: port } = await startScript<number>('./contenders/rxgate-hosted.js', {
        BENCH_URLS: JSON.stringify(backends.urls),
        BENCH_HOST: host,
      })
      processes.push(started)
      targets.push({ name, url: `http://127.0.0.1:${port}${PATH}` })
    }
    for (const target of targets) {
      const res = await fetch(target.url)
      const text = await res.text()
      if (res.status !== 200 || res.headers.get('x-rxgate-completed') !== 'true') throw new Error(`${target.name} answered ${res.status}: ${text.slice(0, 300)}`)
      deepStrictEqual(JSON.parse(text), JSON.parse(fixtures.users.body), `${target.name} does not answer with the backend's document`)
    }
    const figures = await alternate(targets, context.rounds, context.seconds)
    const table = loadTable(figures, RATIOS)
    console.log(`\n${table}`)
    const errors = roundErrors(figures)
    for (const error of errors) console.warn(`warning: ${error}`)
    return `## Adapters: rxgate served by another server

\`GET ${PATH}\`: the proxy scenario's \`json\` endpoint (one backend, access log off), one gateway
compiled from the file in each process (\`perf/contenders/rxgate-hosted.ts\`), served by its own
server (\`gw.listen\`), by node:http's \`createServer(gw.handler())\`, mounted with
\`app.use(gw.handler())\` in an express 5 app after one route of the app's own, and registered
with \`rxgate/fastify\` in a fastify 5 app beside one route of its own. Every answer is checked
equal to the backend's document, complete, before timing.

${loadFacts(context, backends, 'contender', errors.length > 0 ? [`errors during the run: ${errors.join('; ')}`] : [])}

${table}

Ratios are of median req/s (above 1: the first is faster) and of median p99 (below 1: the first answers sooner).`
  } finally {
    for (const started of processes) await started.stop()
  }
}
