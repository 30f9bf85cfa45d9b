/**
 * Scenario "fan-out": one rxgate endpoint per width (1, 2, 4, 8 backends called in parallel, each
 * trimmed to four fields and grouped under its own key, then merged), all in one CLI process,
 * rounds alternated between widths: how req/s and p99 grow with the width.
 */
import type { Backends } from '../backends.js'
import { aggregation, fixtures } from '../fixtures.js'
import { loadFacts } from '../report.js'
import { alternate, type Target } from '../rounds.js'
import { startRxgateCli } from '../rxgate-cli.js'
import type { Scenario } from '../scenario.js'
import { fmt, loadTable, roundErrors, type Ratio } from '../table.js'

const WIDTHS = [1, 2, 4, 8] as const

function config(backends: Backends): object {
  return {
    version: 3,
    timeout: '800ms',
    extra_config: { router: { disable_access_log: true } },
    endpoints: WIDTHS.map((width) => ({
      endpoint: `/fan/${width}/{id}`,
      backend: Array.from({ length: width }, (_, i) => ({
        host: [backends.urls.users],
        url_pattern: fixtures.users.template,
        allow: [...aggregation.users.allow],
        group: `b${i}`,
      })),
    })),
  }
}

const name = (width: number) => `width ${width}`

async function check(target: Target, width: number): Promise<void> {
  const res = await fetch(target.url)
  const text = await res.text()
  const keys = res.status === 200 ? Object.keys(JSON.parse(text) as object).length : -1
  if (res.status !== 200 || res.headers.get('x-rxgate-completed') !== 'true' || keys !== width) {
    throw new Error(`${target.name} answered ${res.status} (completed: ${res.headers.get('x-rxgate-completed')}, ${keys} keys): ${text.slice(0, 300)}`)
  }
}

export const fanOut: Scenario = async (context) => {
  console.log(`\n# fan-out: rxgate with ${WIDTHS.join(', ')} backends in parallel`)
  const backends = await context.backends()
  const rxgate = await startRxgateCli(config(backends), '/fan/1/1')
  try {
    const targets = WIDTHS.map((width) => ({ name: name(width), url: `${rxgate.base}/fan/${width}/1` }))
    for (const [i, target] of targets.entries()) await check(target, WIDTHS[i]!)
    console.log('every width answers complete, one group per backend: timing')
    const figures = await alternate(targets, context.rounds, context.seconds)
    const ratios: Ratio[] = WIDTHS.slice(1).map((width) => ({ label: `${name(width)} / width 1`, numerator: name(width), denominator: name(1) }))
    const table = loadTable(figures, ratios)
    console.log(`\n${table}`)
    const errors = roundErrors(figures)
    for (const error of errors) console.warn(`warning: ${error}`)
    return `## Fan-out width: 1, 2, 4, 8 backends through rxgate

\`GET /fan/N/1\`: one rxgate endpoint per width N, from one KrakenD file run by the CLI (access log
off); each of its N backends is the ${fmt(Buffer.byteLength(fixtures.users.body) / 1024, 1)} KB user object, allow-listed to
\`${aggregation.users.allow.join('`, `')}\` and grouped under its own key, all merged into one document.
A ratio of 1/N in req/s would mean the cost is all per backend; above it, a share is per request.

${loadFacts(context, backends, 'width', errors.length > 0 ? [`errors during the run: ${errors.join('; ')}`] : [])}

${table}`
  } finally {
    await rxgate.process.stop()
  }
}
