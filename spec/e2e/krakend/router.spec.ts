import t from 'tap'
import { json, startBackends } from '../../helpers/http-backend.js'
import { runGateway } from '../../helpers/run-cli.js'

t.test('routing: a static segment beside a param, wildcards, 404 and 405', async (t) => {
  const [echo] = await startBackends(t, (req, res) => json({ url: req.url })(req, res))
  const { base } = await runGateway(t, {
    endpoints: [
      { endpoint: '/users/{id}', backend: [{ host: [echo!.url], url_pattern: '/users/{id}' }] },
      { endpoint: '/users/me', backend: [{ host: [echo!.url], url_pattern: '/me' }] },
      { endpoint: '/assets/*', backend: [{ host: [echo!.url], url_pattern: '/static' }] },
      { endpoint: '/items', method: 'POST', backend: [{ host: [echo!.url], url_pattern: '/items', method: 'POST' }] },
    ],
  })
  t.same(await (await fetch(`${base}/users/42`)).json(), { url: '/users/42' })
  t.same(await (await fetch(`${base}/users/me`)).json(), { url: '/me' })
  t.same(await (await fetch(`${base}/assets/css/site.css`)).json(), { url: '/static' })
  t.equal((await fetch(`${base}/nowhere`)).status, 404)
  const wrong = await fetch(`${base}/items`)
  t.equal(wrong.status, 405)
  t.equal(wrong.headers.get('allow'), 'POST')
})

t.test('health, echo and debug endpoints, as KrakenD documents them', async (t) => {
  const { base } = await runGateway(t, { echo_endpoint: true, debug_endpoint: true, endpoints: [] })
  const health = await fetch(`${base}/__health`)
  t.equal(health.status, 200)
  t.match(await health.json(), { status: 'ok' })
  const echo = await fetch(`${base}/__echo/a/b?q=1&q=2`, { headers: { 'x-test': 'yes' } })
  t.match(await echo.json(), {
    req_uri: '/__echo/a/b?q=1&q=2',
    req_method: 'GET',
    req_querystring: { q: ['1', '2'] },
    req_headers: { 'X-Test': ['yes'] },
  })
  t.same(await (await fetch(`${base}/__debug/anything`)).json(), { message: 'pong' })
})

t.test('router options from the file', async (t) => {
  const [ok] = await startBackends(t, json({ ok: true }))
  const { base } = await runGateway(t, {
    extra_config: { router: { health_path: '/healthz', auto_options: true, disable_redirect_trailing_slash: true } },
    endpoints: [{ endpoint: '/a', backend: [{ host: [ok!.url], url_pattern: '/' }] }],
  })
  t.equal((await fetch(`${base}/healthz`)).status, 200)
  t.equal((await fetch(`${base}/__health`)).status, 404)
  t.equal((await fetch(`${base}/a`, { method: 'OPTIONS' })).headers.get('allow'), 'GET, OPTIONS')
  t.equal((await fetch(`${base}/a/`, { redirect: 'manual' })).status, 404)
})
