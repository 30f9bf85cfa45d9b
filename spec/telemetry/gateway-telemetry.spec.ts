import { pipe } from 'rxjs'
import t from 'tap'
import { backend, gateway, KrakendStats, OpenTelemetry, combineTelemetry } from '../../lib/index.js'
import { fanOut, merge, timeoutEach } from '../../operators/index.js'
import { json, startBackends } from '../helpers/http-backend.js'
import { scrape, total } from '../helpers/prometheus.js'
import { freePort } from '../helpers/spawn-node.js'

t.test('gateway({ telemetry }): routes in code and their backend() calls report', async (t) => {
  const [users, slow] = await startBackends(t, json({ name: 'Ada' }), json({ late: true }, 2000))
  const port = await freePort()
  const gw = gateway({ logger: { level: 'silent' }, telemetry: { exporters: { prometheus: [{ name: 'code', port }] } } })
  gw.get('/front/{id}', pipe(fanOut({ user: backend(`${users!.url}/users/{id}`), late: backend(`${slow!.url}/late`) }), timeoutEach('150ms'), merge()))
  gw.get('/quiet', pipe(fanOut({ user: backend(`${users!.url}/users/1`) }), merge()), { telemetry: { proxy: { disable_metrics: true } } })
  const { port: served } = await gw.listen(0)
  t.teardown(() => gw.close())
  for (let i = 0; i < 2; i++) t.equal((await fetch(`http://127.0.0.1:${served}/front/${i}`)).headers.get('x-rxgate-completed'), 'false')
  t.equal((await fetch(`http://127.0.0.1:${served}/quiet`)).status, 200)
  const families = await scrape(`http://127.0.0.1:${port}/metrics`)
  t.equal(total(families, 'krakend_proxy_duration_count', { http_route: '/front/:id', complete: 'false' }), 2)
  t.equal(total(families, 'krakend_proxy_duration_count', { http_route: '/quiet' }), 0, "a route's own disable_metrics")
  t.equal(total(families, 'http_server_duration_count', { http_route: '/quiet' }), 1, 'the global layer still counts it')
  t.equal(total(families, 'http_client_request_timedout_count_total', { http_route: '/late', krakend_endpoint: '/front/:id', server_address: slow!.url }), 2)
  t.equal(total(families, 'http_client_request_started_count_total', { http_route: '/users/:id', http_response_status_code: '200' }), 2)
})

t.test('a Telemetry of its own: both kinds at once', async (t) => {
  const [users] = await startBackends(t, json({ name: 'Ada' }))
  const [metricsPort, statsPort] = [await freePort(), await freePort()]
  const telemetry = combineTelemetry(
    new OpenTelemetry({ exporters: { prometheus: [{ name: 'p', port: metricsPort }] } }),
    new KrakendStats({ listen_address: `:${statsPort}` }),
  )
  const gw = gateway({ logger: { level: 'silent' }, telemetry })
  gw.get('/u', backend(`${users!.url}/u`))
  const { port } = await gw.listen(0)
  t.equal((await fetch(`http://127.0.0.1:${port}/u`)).status, 200)
  const families = await scrape(`http://127.0.0.1:${metricsPort}/metrics`)
  t.equal(total(families, 'http_server_duration_count', { http_route: '/u' }), 1)
  const stats = (await (await fetch(`http://127.0.0.1:${statsPort}/__stats`)).json()) as Record<string, number>
  t.equal(stats['krakend.router.response./u.status.200.count'], 1)
  await gw.close()
  await t.rejects(fetch(`http://127.0.0.1:${statsPort}/__stats`), 'closing the gateway closes /__stats')
  await t.rejects(fetch(`http://127.0.0.1:${metricsPort}/metrics`), 'and the Prometheus endpoint')
})
