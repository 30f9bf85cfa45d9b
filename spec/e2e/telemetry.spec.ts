import t from 'tap'
import { json, startBackends } from '../helpers/http-backend.js'
import { startOtlpReceiver } from '../helpers/otlp-receiver.js'
import { scrape, series, total } from '../helpers/prometheus.js'
import { cli, runGateway, writeConfig } from '../helpers/run-cli.js'
import { freePort } from '../helpers/spawn-node.js'

const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const CLIENT_SPAN = '00f067aa0ba902b7'

t.test('Prometheus: requests, partial answers and backend outcomes under KrakenD names', async (t) => {
  const [users, slow, broken] = await startBackends(t, json({ id: 7, name: 'Ada' }), json({ late: true }, 3000), json({ oops: true }, 0, 503))
  const metricsPort = await freePort()
  const { base } = await runGateway(t, {
    name: 'metrics-test',
    extra_config: { 'telemetry/opentelemetry': { exporters: { prometheus: [{ name: 'local', port: metricsPort, listen_ip: '127.0.0.1' }] } } },
    endpoints: [
      { endpoint: '/users/{id}', backend: [{ host: [users!.url], url_pattern: '/users/{id}' }] },
      {
        endpoint: '/front/{id}',
        timeout: '300ms',
        backend: [
          { host: [users!.url], url_pattern: '/users/{id}', group: 'user' },
          { host: [slow!.url], url_pattern: '/notifications/{id}', group: 'notifications' },
        ],
      },
      { endpoint: '/broken', backend: [{ host: [broken!.url], url_pattern: '/x' }] },
    ],
  })
  for (let i = 0; i < 5; i++) t.equal((await fetch(`${base}/users/${i}`)).status, 200)
  for (let i = 0; i < 3; i++) t.equal((await fetch(`${base}/front/${i}`)).headers.get('x-rxgate-completed'), 'false')
  t.equal((await fetch(`${base}/broken`)).status, 500)
  t.equal((await fetch(`${base}/nowhere`)).status, 404)

  const families = await scrape(`http://127.0.0.1:${metricsPort}/metrics`)
  const server = { http_route: '/users/:id', http_request_method: 'GET', http_response_status_code: '200' }
  t.equal(total(families, 'http_server_duration_count', server), 5, 'every request to /users/{id}, by route, method and status')
  t.equal(total(families, 'http_server_duration_count', { http_response_status_code: '404' }), 1, 'a request no route takes is counted too')
  t.equal(total(families, 'http_server_duration_count', { http_route: '/broken', http_response_status_code: '500' }), 1)
  const buckets = series(families, 'http_server_duration_bucket', server)
  t.same(buckets.map((bucket) => bucket.labels!.le), ['0.01', '0.02', '0.05', '0.075', '0.1', '0.125', '0.15', '0.175', '0.2', '0.25', '0.3', '0.35', '0.5', '0.75', '1', '1.5', '2', '3.5', '5', '10', '+Inf'], "KrakenD's duration buckets")
  t.equal(total(families, 'http_server_duration_bucket', { ...server, le: '+Inf' }), 5, 'cumulative')

  t.equal(total(families, 'krakend_proxy_duration_count', { http_route: '/users/:id', complete: 'true', error: 'false' }), 5)
  t.equal(total(families, 'krakend_proxy_duration_count', { http_route: '/front/:id', complete: 'false', error: 'true' }), 3, 'each partial answer, X-Rxgate-Completed: false')
  t.equal(total(families, 'krakend_proxy_duration_count', { http_route: '/front/:id', complete: 'true' }), 0)

  const slowCalls = { http_route: '/notifications/:id', krakend_endpoint: '/front/:id', server_address: slow!.url }
  t.equal(total(families, 'http_client_request_started_count_total', slowCalls), 3)
  t.equal(total(families, 'http_client_request_timedout_count_total', slowCalls), 3, 'a backend cut by the timeout counts as timed out')
  t.equal(total(families, 'http_client_request_failed_count_total', slowCalls), 3, '(and failed, as in KrakenD)')
  t.equal(total(families, 'http_client_request_canceled_count_total', slowCalls), 0)
  t.equal(total(families, 'krakend_backend_duration_count', { ...slowCalls, error: 'true', complete: 'false' }), 3)

  const userCalls = { http_route: '/users/:id', krakend_endpoint: '/users/:id', krakend_endpoint_method: 'GET', http_request_method: 'GET' }
  t.equal(total(families, 'http_client_request_started_count_total', { ...userCalls, http_response_status_code: '200' }), 5)
  t.equal(total(families, 'http_client_request_failed_count_total', userCalls), 0)
  t.equal(total(families, 'krakend_backend_duration_count', { ...userCalls, complete: 'true' }), 5)
  t.equal(total(families, 'http_client_duration_count', { ...userCalls, http_response_status_code: '200' }), 5)
  t.equal(total(families, 'http_client_request_failed_count_total', { http_route: '/x', http_response_status_code: '503' }), 1, 'a backend answering 503 failed')

  t.equal(series(families, 'http_server_active_requests').length, 1, 'requests in flight: a gauge')
  t.equal(total(families, 'http_server_active_requests'), 0)
})

t.test('a client cancelling counts its calls as cancelled', async (t) => {
  const [slow] = await startBackends(t, json({ late: true }, 3000))
  const metricsPort = await freePort()
  const { base } = await runGateway(t, {
    extra_config: { 'telemetry/opentelemetry': { exporters: { prometheus: [{ name: 'local', port: metricsPort }] } } },
    endpoints: [{ endpoint: '/slow', timeout: '5s', backend: [{ host: [slow!.url], url_pattern: '/late' }] }],
  })
  const controller = new AbortController()
  const pending = fetch(`${base}/slow`, { signal: controller.signal }).catch(() => 'aborted')
  while (slow!.seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 20))
  controller.abort()
  t.equal(await pending, 'aborted')
  t.equal(await slow!.seen[0]!.aborted, true, 'the backend call is cut')
  const families = await scrape(`http://127.0.0.1:${metricsPort}/metrics`)
  t.equal(total(families, 'http_client_request_canceled_count_total', { http_route: '/late' }), 1)
  t.equal(total(families, 'http_client_request_timedout_count_total', { http_route: '/late' }), 0)
  t.equal(total(families, 'krakend_proxy_duration_count', { http_route: '/slow', canceled: 'true' }), 1)
})

t.test('traces: a client trace continued, a span per backend call, its context sent to the backend', async (t) => {
  const receiver = await startOtlpReceiver(t)
  const [users, posts] = await startBackends(t, json({ name: 'Ada' }), json({ posts: [1, 2] }))
  const { base, gateway } = await runGateway(t, {
    extra_config: {
      'telemetry/opentelemetry': { trace_sample_rate: 0, exporters: { otlp: [{ name: 'receiver', host: '127.0.0.1', port: receiver.port, use_http: true, disable_metrics: true }] } },
    },
    endpoints: [
      {
        endpoint: '/front/{id}',
        backend: [
          { host: [users!.url], url_pattern: '/users/{id}' },
          { host: [posts!.url], url_pattern: '/posts/{id}' },
        ],
      },
    ],
  })
  const answer = await fetch(`${base}/front/7`, { headers: { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`, tracestate: 'vendor=x' } })
  t.equal(answer.status, 200)
  gateway.child.kill('SIGTERM')
  await gateway.exited
  const spans = await receiver.waitForSpans(3)
  t.equal(spans.length, 3, 'one span for the request, one per backend call')
  const endpoint = spans.find((span) => span.name === 'GET /front/:id')!
  t.ok(endpoint, 'the endpoint span is named by method and route')
  t.equal(endpoint.traceId, CLIENT_TRACE, "the client's trace id is kept")
  t.equal(endpoint.parentSpanId, CLIENT_SPAN, "the endpoint span is the child of the client's")
  t.equal(endpoint.kind, 2, 'SERVER')
  t.equal(endpoint.attributes['http.response.status_code'], 200)
  t.equal(endpoint.attributes.complete, true)
  for (const [backend, route] of [[users!, '/users/:id'], [posts!, '/posts/:id']] as const) {
    const span = spans.find((candidate) => candidate.attributes['http.route'] === route)!
    t.ok(span, `a span for ${route}`)
    t.equal(span.traceId, CLIENT_TRACE)
    t.equal(span.parentSpanId, endpoint.spanId, 'the backend span is the child of the endpoint span')
    t.equal(span.kind, 3, 'CLIENT')
    t.equal(span.attributes['http.request.method'], 'GET')
    t.equal(span.attributes['http.response.status_code'], 200)
    t.equal(span.attributes['rxgate.outcome'], 'delivered')
    t.equal(span.attributes['url.full'], `${backend.url}${route.replace(':id', '7')}`)
    t.equal(backend.seen[0]!.headers.traceparent, `00-${CLIENT_TRACE}-${span.spanId}-01`, 'the backend is told its call span is its parent')
    t.equal(backend.seen[0]!.headers.tracestate, 'vendor=x', "the client's tracestate passes on")
  }
})

t.test('traces: sampling at 0 records nothing, and a client that did not sample is followed', async (t) => {
  const receiver = await startOtlpReceiver(t)
  const [users] = await startBackends(t, json({ name: 'Ada' }))
  const { base, gateway } = await runGateway(t, {
    extra_config: {
      'telemetry/opentelemetry': { trace_sample_rate: 0, exporters: { otlp: [{ name: 'receiver', host: `http://127.0.0.1`, port: receiver.port, use_http: true }] } },
    },
    endpoints: [{ endpoint: '/users/{id}', backend: [{ host: [users!.url], url_pattern: '/users/{id}' }] }],
  })
  t.equal((await fetch(`${base}/users/1`)).status, 200)
  t.equal(users!.seen[0]!.headers.traceparent, undefined, 'no trace, nothing sent')
  t.equal((await fetch(`${base}/users/2`, { headers: { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-00` } })).status, 200)
  const sent = users!.seen[1]!.headers.traceparent as string
  t.match(sent, new RegExp(`^00-${CLIENT_TRACE}-[0-9a-f]{16}-00$`), "the client's unsampled trace goes on, unsampled")
  gateway.child.kill('SIGTERM')
  await gateway.exited
  t.equal(receiver.spans.length, 0, 'no span recorded')
  t.ok(receiver.metrics.length >= 1, 'the metrics were pushed over OTLP on close')
})

t.test('check refuses what rxgate cannot export, with JSON paths', async (t) => {
  const file = writeConfig({
    version: 3,
    extra_config: {
      'telemetry/opentelemetry': {
        exporters: {
          otlp: [{ name: 'tempo', host: 'localhost' }, { name: 'tempo', host: 'localhost', use_http: false }],
          prometheus: [{ name: 'p1', port: 9100 }, { name: 'p2', port: 9100 }],
        },
        trace_sample_rate: 2,
      },
      'telemetry/metrics': { listen_address: '8090' },
    },
    endpoints: [],
  })
  const { code, output } = await cli('check', '-c', file)
  t.equal(code, 1)
  t.match(output, '/extra_config/telemetry~1opentelemetry/exporters/otlp/0: is OTLP over gRPC')
  t.match(output, '/extra_config/telemetry~1opentelemetry/exporters/otlp/1/use_http: is OTLP over gRPC')
  t.match(output, '/extra_config/telemetry~1opentelemetry/exporters/otlp/1/name: "tempo" is also the name of /exporters/otlp/0')
  t.match(output, '/extra_config/telemetry~1opentelemetry/exporters/prometheus/1/port: 9100 is also the port of /exporters/prometheus/0')
  t.match(output, '/extra_config/telemetry~1opentelemetry/trace_sample_rate')
  t.match(output, '/extra_config/telemetry~1metrics/listen_address')
  t.notMatch(output, /Error: |\n\s+at /, 'no stack trace')
})

t.test('a file with telemetry checks clean, and --workers refuses a Prometheus port', async (t) => {
  const file = writeConfig({
    version: 3,
    extra_config: {
      'telemetry/opentelemetry': {
        service_name: 'front',
        exporters: { prometheus: [{ name: 'p', port: 9091, process_metrics: true, go_metrics: true }], otlp: [{ name: 'c', host: 'collector', port: 4318, use_http: true }] },
        layers: { global: { report_headers: true }, proxy: { disable_traces: false }, backend: { metrics: { round_trip: true, static_attributes: [{ key: 'team', value: 'a' }] } } },
      },
    },
    endpoints: [
      {
        endpoint: '/a',
        extra_config: { 'telemetry/opentelemetry': { proxy: { metrics_static_attributes: [{ key: 'owner', value: 'x' }] } } },
        backend: [{ host: ['http://a'], url_pattern: '/a', extra_config: { 'telemetry/opentelemetry': { backend: { traces: { disable_stage: true } } } } }],
      },
    ],
  })
  const checked = await cli('check', '-c', file)
  t.equal(checked.code, 0, checked.output)
  t.notMatch(checked.output, 'telemetry/opentelemetry: ', 'the namespace is no longer among the ignored ones')
  const run = await cli('run', '-c', file, '-w', '2')
  t.equal(run.code, 1)
  t.match(run.output, '--workers 2 cannot serve a Prometheus exporter (port 9091)')
})

t.test("telemetry/metrics: /__stats answers KrakenD's JSON, beside the Prometheus endpoint", async (t) => {
  const [users, slow] = await startBackends(t, json({ name: 'Ada' }), json({ late: true }, 3000))
  const statsPort = await freePort()
  const metricsPort = await freePort()
  const { base } = await runGateway(t, {
    extra_config: {
      'telemetry/metrics': { listen_address: `:${statsPort}`, collection_time: '100ms' },
      'telemetry/opentelemetry': { exporters: { prometheus: [{ name: 'p', port: metricsPort }] } },
    },
    endpoints: [
      { endpoint: '/users/{id}', backend: [{ host: [users!.url], url_pattern: '/users/{id}' }] },
      { endpoint: '/front', timeout: '200ms', backend: [{ host: [users!.url], url_pattern: '/me', group: 'me' }, { host: [slow!.url], url_pattern: '/late', group: 'late' }] },
    ],
  })
  for (let i = 0; i < 3; i++) t.equal((await fetch(`${base}/users/${i}`)).status, 200)
  t.equal((await fetch(`${base}/front`)).headers.get('x-rxgate-completed'), 'false')
  await new Promise((resolve) => setTimeout(resolve, 300))
  const answer = await fetch(`http://127.0.0.1:${statsPort}/__stats`)
  t.equal(answer.status, 200)
  t.match(answer.headers.get('content-type'), 'application/json')
  const stats = (await answer.json()) as Record<string, number>
  t.equal(stats['krakend.router.response./users/:id.status.200.count'], 3, 'answers by endpoint and status')
  t.equal(stats['krakend.router.response./users/:id.time.count'], 3)
  t.ok(stats['krakend.router.response./users/:id.time.max']! > 0, 'times in nanoseconds')
  t.equal(stats['krakend.proxy.requests.layer.pipe.name./users/:id.complete.true.error.false'], 3)
  t.equal(stats['krakend.proxy.requests.layer.backend.name./users/{id}.complete.true.error.false'], 3)
  t.equal(stats['krakend.proxy.latency.layer.pipe.name./users/:id.complete.true.error.false.count'], 3)
  t.ok(stats['krakend.proxy.latency.layer.pipe.name./users/:id.complete.true.error.false.99-percentile']! > 0)
  t.equal(stats['krakend.proxy.requests.layer.pipe.name./front.complete.false.error.true'], 1, 'a partial answer')
  t.equal(stats['krakend.proxy.requests.layer.backend.name./late.complete.false.error.true'], 1, 'its late backend')
  t.equal(stats['krakend.router.connected-total'], 4, 'connections roll into the totals every collection_time')
  t.ok(Array.isArray(stats.cmdline))
  const families = await scrape(`http://127.0.0.1:${metricsPort}/metrics`)
  t.equal(total(families, 'http_server_duration_count', { http_route: '/users/:id' }), 3, 'the Prometheus endpoint counts the same requests')
})

t.test('a metrics port in use stops the start with a clear message', async (t) => {
  const [taken] = await startBackends(t, json({}))
  const port = new URL(taken!.url).port
  for (const extra of [
    { 'telemetry/opentelemetry': { exporters: { prometheus: [{ name: 'p', port: Number(port) }] } } },
    { 'telemetry/metrics': { listen_address: `:${port}` } },
  ]) {
    const file = writeConfig({ version: 3, port: await freePort(), extra_config: extra, endpoints: [] })
    const { code, output } = await cli('run', '-c', file)
    t.equal(code, 1)
    t.match(output, `cannot listen on port ${port} (EADDRINUSE)`)
    t.notMatch(output, /\n\s+at /, 'no stack trace')
  }
})
