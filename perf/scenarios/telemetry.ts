/**
 * Scenario "telemetry": what `telemetry/opentelemetry` costs, as ratios to the same endpoints
 * without it, all in one run, rounds alternated. The proxy of one backend (`GET /users/1`) and the
 * 3-backend front page (`GET /frontpage/1`), each served three ways: telemetry off; metrics on (a
 * Prometheus exporter, every layer, round trips included) with traces sampled at 0 (an OTLP
 * exporter declared, so the tracer is there and decides); and traces sampled at 1, every request's
 * spans (one per request, one per backend call) batched and pushed over OTLP/HTTP to a small
 * receiver of the bench's own process. The target: metrics on at 0.9x telemetry off or better.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Backends } from '../backends.js'
import { freePort } from '../backends.js'
import { REQUEST_PATH, benchEndpoints } from '../fixtures.js'
import { loadFacts } from '../report.js'
import { alternate, type Target } from '../rounds.js'
import { startRxgateCli, type RxgateCli } from '../rxgate-cli.js'
import type { Scenario } from '../scenario.js'
import { loadTable, roundErrors, type Ratio } from '../table.js'

const PROXY_PATH = '/users/1'
const TARGET_RATIO = 0.9

const RATIOS: Ratio[] = [
  { label: 'proxy, metrics / off', numerator: 'proxy + metrics', denominator: 'proxy' },
  { label: 'proxy, traced / off', numerator: 'proxy + traces', denominator: 'proxy' },
  { label: 'front page, metrics / off', numerator: 'front page + metrics', denominator: 'front page' },
  { label: 'front page, traced / off', numerator: 'front page + traces', denominator: 'front page' },
]

/** An OTLP/HTTP receiver that takes every export and counts what came. */
async function receiver(): Promise<{ port: number; bytes: () => number; close: () => void }> {
  let bytes = 0
  const server = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => (bytes += chunk.length))
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { port: (server.address() as AddressInfo).port, bytes: () => bytes, close: () => server.close() }
}

function file(backends: Backends, telemetry: object | undefined): object {
  return {
    version: 3,
    timeout: '800ms',
    extra_config: { router: { disable_access_log: true }, ...(telemetry ? { 'telemetry/opentelemetry': telemetry } : {}) },
    endpoints: benchEndpoints(backends.urls),
  }
}

export const telemetry: Scenario = async (context) => {
  console.log('\n# telemetry: the proxy and the front page, telemetry off, metrics on (traces sampled at 0), traces sampled at 1')
  const backends = await context.backends()
  const otlp = await receiver()
  const started: RxgateCli[] = []
  try {
    const exporter = { name: 'bench', host: '127.0.0.1', port: otlp.port, use_http: true, disable_metrics: true }
    const off = await startRxgateCli(file(backends, undefined), PROXY_PATH)
    started.push(off)
    const metricsPort = await freePort()
    const metrics = await startRxgateCli(
      file(backends, { trace_sample_rate: 0, exporters: { prometheus: [{ name: 'scrape', port: metricsPort, listen_ip: '127.0.0.1' }], otlp: [exporter] } }),
      PROXY_PATH,
    )
    started.push(metrics)
    const traced = await startRxgateCli(file(backends, { trace_sample_rate: 1, exporters: { otlp: [exporter] } }), PROXY_PATH)
    started.push(traced)
    const targets: Target[] = [
      { name: 'proxy', url: `${off.base}${PROXY_PATH}` },
      { name: 'proxy + metrics', url: `${metrics.base}${PROXY_PATH}` },
      { name: 'proxy + traces', url: `${traced.base}${PROXY_PATH}` },
      { name: 'front page', url: `${off.base}${REQUEST_PATH}` },
      { name: 'front page + metrics', url: `${metrics.base}${REQUEST_PATH}` },
      { name: 'front page + traces', url: `${traced.base}${REQUEST_PATH}` },
    ]
    for (const target of targets) {
      const res = await fetch(target.url)
      if (res.status !== 200 || res.headers.get('x-rxgate-completed') !== 'true') throw new Error(`${target.name} answered ${res.status}, completed ${res.headers.get('x-rxgate-completed')}`)
      await res.arrayBuffer()
    }
    const figures = await alternate(targets, context.rounds, context.seconds)
    const scraped = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()
    if (!scraped.includes('krakend_proxy_duration_count{http_route="/frontpage/:id"')) throw new Error('the metrics endpoint did not report the front page')
    const table = loadTable(figures, RATIOS)
    console.log(`\n${table}`)
    const errors = roundErrors(figures)
    for (const error of errors) console.warn(`warning: ${error}`)
    // the traced process pushes what it still holds when it stops
    await traced.process.stop()
    const pushed = `spans pushed over OTLP/HTTP while measured: ${(otlp.bytes() / 1024 / 1024).toFixed(1)} MiB of OTLP/JSON`
    return `## Telemetry: what metrics and traces cost

\`GET ${PROXY_PATH}\` proxied (one \`json\` backend) and \`GET ${REQUEST_PATH}\`, the 3-backend front page of
the aggregation scenario, each from one CLI per setting, access log off: without
\`telemetry/opentelemetry\`; with it, a Prometheus exporter and every layer on (round trips
included), traces sampled at 0 (an OTLP exporter declared, so that the sampler decides every
request); and with traces sampled at 1, a span per request and per backend call, batched and
pushed over OTLP/HTTP (JSON) to a receiver in the bench's process. Target: metrics on at
${TARGET_RATIO}x telemetry off or better.

${loadFacts(context, backends, 'contender', [pushed, ...(errors.length > 0 ? [`errors during the run: ${errors.join('; ')}`] : [])])}

${table}

Ratios are of median req/s (above 1: the first is faster) and of median p99 (below 1: the first answers sooner).
`
  } finally {
    for (const cli of started) await cli.process.stop()
    otlp.close()
  }
}
