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
  const document = (await health.json()) as { now: string }
  t.same(document, { agents: {}, now: document.now, status: 'ok' }, "KrakenD's health document: no async agents here")
  t.match(document.now, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/, 'now, in RFC 3339')
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

t.test("a path that differs from a route only in letter case is redirected to the route's own, as KrakenD's router does", async (t) => {
  const [echo] = await startBackends(t, (req, res) => json({ url: req.url })(req, res))
  const endpoints = [
    { endpoint: '/static', backend: [{ host: [echo!.url], url_pattern: '/static' }] },
    { endpoint: '/users/{id}/Profile', backend: [{ host: [echo!.url], url_pattern: '/users/{id}' }] },
    { endpoint: '/items', method: 'POST', backend: [{ host: [echo!.url], url_pattern: '/items', method: 'POST' }] },
  ]
  const { base } = await runGateway(t, { endpoints })
  const moved = async (path: string, method = 'GET') => {
    const res = await fetch(`${base}${path}`, { method, redirect: 'manual' })
    return [res.status, res.headers.get('location')]
  }
  t.same(await moved('/StAtic'), [301, '/static'])
  t.same(await moved('/STATIC?q=1'), [301, '/static?q=1'], 'the query goes along')
  t.same(await moved('/USERS/AdA/profile'), [301, '/users/AdA/Profile'], "the route's case, the client's parameter")
  t.same(await moved('/Items', 'POST'), [307, '/items'], 'other methods keep their method and body: 307')
  t.same(await (await fetch(`${base}/StAtic`)).json(), { url: '/static' }, 'a client that follows reaches the route')
  t.same(await moved('/nothing'), [404, null])

  const off = await runGateway(t, { extra_config: { router: { disable_redirect_fixed_path: true } }, endpoints })
  t.equal((await fetch(`${off.base}/StAtic`, { redirect: 'manual' })).status, 404, 'disable_redirect_fixed_path turns it off')
})

t.test('the client IP: the peer by default (IPv4 written plainly); behind trusted proxies, their headers', async (t) => {
  const [echo] = await startBackends(t, (req, res) => json({ forwardedFor: req.headers['x-forwarded-for'] })(req, res))
  const endpoints = [{ endpoint: '/ip', backend: [{ host: [echo!.url], url_pattern: '/' }] }]
  const ip = async (base: string, headers: Record<string, string> = {}) =>
    ((await (await fetch(`${base}/ip`, { headers })).json()) as { forwardedFor: string }).forwardedFor

  const direct = await runGateway(t, { endpoints })
  t.equal(await ip(direct.base), '127.0.0.1', 'not ::ffff:127.0.0.1')
  t.equal(await ip(direct.base, { 'x-forwarded-for': '203.0.113.9' }), '127.0.0.1', 'a header from anyone is not believed')
  // The access line is written when the response closes, maybe after the client has read it.
  await direct.gateway.waitFor('"path":"/ip","ip":"127.0.0.1"')
  t.pass('the access log names the same IP')

  const proxied = await runGateway(t, {
    extra_config: { router: { forwarded_by_client_ip: true, trusted_proxies: ['127.0.0.0/8', '10.0.0.0/8'] } },
    endpoints,
  })
  t.equal(await ip(proxied.base, { 'x-forwarded-for': '203.0.113.9, 10.0.0.3' }), '203.0.113.9', 'the last address before the trusted proxies')
  t.equal(await ip(proxied.base, { 'x-forwarded-for': '198.51.100.1, 203.0.113.9, 10.0.0.3' }), '203.0.113.9', 'what a client wrote itself is not believed')
  t.equal(await ip(proxied.base, { 'x-real-ip': '203.0.113.7' }), '203.0.113.7', 'X-Real-IP is read too')
  t.equal(await ip(proxied.base, { 'x-forwarded-for': 'garbage' }), '127.0.0.1', 'no address in the header: the peer')
  t.equal(await ip(proxied.base), '127.0.0.1')

  const untrusted = await runGateway(t, { extra_config: { router: { forwarded_by_client_ip: true, trusted_proxies: ['10.0.0.0/8'] } }, endpoints })
  t.equal(await ip(untrusted.base, { 'x-forwarded-for': '203.0.113.9' }), '127.0.0.1', 'a peer that is not a trusted proxy is the client')

  const custom = await runGateway(t, {
    extra_config: { router: { forwarded_by_client_ip: true, trusted_proxies: ['127.0.0.1'], remote_ip_headers: ['CF-Connecting-IP'] } },
    endpoints,
  })
  t.equal(await ip(custom.base, { 'cf-connecting-ip': '203.0.113.5', 'x-forwarded-for': '198.51.100.1' }), '203.0.113.5', 'remote_ip_headers replaces the default headers')
})
