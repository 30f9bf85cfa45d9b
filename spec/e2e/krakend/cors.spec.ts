import t from 'tap'
import { json, startBackends } from '../../helpers/http-backend.js'
import { rawRequest } from '../../helpers/raw-request.js'
import { cli, runGateway, writeConfig } from '../../helpers/run-cli.js'

const preflight = (origin: string, method: string, headers: Record<string, string> = {}) => ({
  method: 'OPTIONS',
  headers: { origin, 'access-control-request-method': method, ...headers },
})

t.test('security/cors: preflights answered before routing, for allowed origins, methods and headers only', async (t) => {
  const [api] = await startBackends(t, json({ ok: true }))
  const { base } = await runGateway(t, {
    extra_config: {
      'security/cors': {
        allow_origins: ['https://shop.example.com', 'https://*.partner.example'],
        allow_methods: ['GET', 'POST', 'PUT'],
        allow_headers: ['Authorization', 'X-Request-Id'],
        max_age: '12h',
        allow_credentials: true,
        allow_private_network: true,
      },
    },
    endpoints: [{ endpoint: '/items', method: 'PUT', backend: [{ host: [api!.url], url_pattern: '/', method: 'PUT' }] }],
  })

  const allowed = await rawRequest(
    base,
    '/items',
    preflight('https://eu.partner.example', 'PUT', { 'access-control-request-headers': 'authorization,x-request-id', 'access-control-request-private-network': 'true' }),
  )
  t.equal(allowed.status, 204, 'no OPTIONS endpoint, and none needed')
  t.match(allowed.headers, {
    'access-control-allow-origin': 'https://eu.partner.example',
    'access-control-allow-methods': 'PUT',
    'access-control-allow-headers': 'authorization,x-request-id',
    'access-control-allow-credentials': 'true',
    'access-control-max-age': '43200',
    'access-control-allow-private-network': 'true',
    vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network',
  })
  t.equal(allowed.body, '')
  t.equal((await rawRequest(base, '/not/an/endpoint', preflight('https://shop.example.com', 'GET'))).headers['access-control-allow-origin'], 'https://shop.example.com', 'any path')
  t.equal(api!.seen.length, 0, 'a preflight never reaches a backend')

  for (const [what, options] of [
    ['origin', preflight('https://evil.example', 'PUT')],
    ['origin (a wildcard needs its prefix and suffix)', preflight('https://partner.example', 'PUT')],
    ['method', preflight('https://shop.example.com', 'DELETE')],
    ['header', preflight('https://shop.example.com', 'PUT', { 'access-control-request-headers': 'x-secret' })],
  ] as const) {
    const refused = await rawRequest(base, '/items', options)
    t.equal(refused.status, 204, `a refused ${what}: answered`)
    t.equal(refused.headers['access-control-allow-origin'], undefined, `a refused ${what}: no CORS headers, the browser stops there`)
    t.equal(refused.headers['access-control-allow-methods'], undefined)
  }
})

t.test('security/cors: actual requests carry their CORS headers on 200, 500 and 404 answers', async (t) => {
  const [ok, down] = await startBackends(t, json({ ok: true }), json({ down: true }, 0, 503))
  const { base } = await runGateway(t, {
    extra_config: {
      'github_com/devopsfaith/krakend-cors': { allow_origins: ['https://shop.example.com'], expose_headers: ['x-rxgate-completed', 'content-length'], allow_credentials: true },
    },
    endpoints: [
      { endpoint: '/ok', backend: [{ host: [ok!.url], url_pattern: '/' }] },
      { endpoint: '/down', backend: [{ host: [down!.url], url_pattern: '/' }] },
    ],
  })
  const origin = { origin: 'https://shop.example.com' }
  for (const [path, status] of [['/ok', 200], ['/down', 500], ['/nowhere', 404]] as const) {
    const answer = await rawRequest(base, path, { headers: origin })
    t.equal(answer.status, status)
    t.match(answer.headers, {
      'access-control-allow-origin': 'https://shop.example.com',
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'X-Rxgate-Completed, Content-Length',
      vary: 'Origin',
    }, `${status}: CORS headers (under KrakenD's legacy namespace name too)`)
  }
  const other = await rawRequest(base, '/ok', { headers: { origin: 'https://evil.example' } })
  t.equal(other.status, 200, 'another origin is served: CORS is for browsers to enforce')
  t.equal(other.headers['access-control-allow-origin'], undefined)
  t.equal(other.headers.vary, 'Origin')
})

t.test('security/cors: options_passthrough sends preflights on to routing, and options_success_status sets their status', async (t) => {
  const [api] = await startBackends(t, json({ ok: true }))
  const endpoints = [{ endpoint: '/items', backend: [{ host: [api!.url], url_pattern: '/' }] }]
  const cors = { allow_origins: ['https://shop.example.com'], options_passthrough: true }

  const routed = await runGateway(t, { extra_config: { 'security/cors': cors, router: { auto_options: true } }, endpoints })
  const auto = await rawRequest(routed.base, '/items', preflight('https://shop.example.com', 'GET'))
  t.equal(auto.status, 200, "the router's auto_options answers the preflight")
  t.equal(auto.headers.allow, 'GET, OPTIONS')
  t.equal(auto.headers['access-control-allow-origin'], 'https://shop.example.com', 'with the CORS headers')
  t.equal(auto.headers['access-control-allow-methods'], 'GET')

  const plain = await runGateway(t, { extra_config: { 'security/cors': cors }, endpoints })
  const notAllowed = await rawRequest(plain.base, '/items', preflight('https://shop.example.com', 'GET'))
  t.equal(notAllowed.status, 405, 'without auto_options, the router says OPTIONS is not a method of /items')
  t.equal(notAllowed.headers['access-control-allow-origin'], 'https://shop.example.com')

  const status = await runGateway(t, { extra_config: { 'security/cors': { options_success_status: 200, debug: true } }, endpoints }, '-l', 'debug')
  const answered = await rawRequest(status.base, '/items', preflight('https://any.example', 'GET'))
  t.equal(answered.status, 200)
  t.equal(answered.headers['access-control-allow-origin'], '*', 'no allow_origins: any origin, answered "*"')
  await status.gateway.waitFor('"msg":"cors: preflight allowed"')
  t.match(status.gateway.output(), /"origin":"https:\/\/any\.example","method":"GET","msg":"cors: preflight allowed"/, 'debug: each decision logged at debug level')
})

t.test('security/cors: check finds the mistakes, each with its JSON path', async (t) => {
  const problems = await cli(
    'check',
    '-c',
    writeConfig({
      version: 3,
      extra_config: { 'security/cors': { allow_methods: ['GET', 'get'], max_age: 3600, options_success_status: 404, allow_headers: ['X Token'] } },
      endpoints: [],
    }),
  )
  t.equal(problems.code, 1)
  t.match(problems.output, /\/extra_config\/security~1cors\/allow_methods\/1: must be one of "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"/)
  t.match(problems.output, /\/extra_config\/security~1cors\/max_age: must be a duration like "2s"/)
  t.match(problems.output, /\/extra_config\/security~1cors\/options_success_status: must be a 2xx status/)
  t.match(problems.output, /\/extra_config\/security~1cors\/allow_headers\/0: must be an HTTP header name/)

  const warned = await cli(
    'check',
    '-c',
    writeConfig({ version: 3, extra_config: { 'security/cors': { allow_origins: ['*', 'https://example.com/'], allow_credentials: true, allow_origin: ['*'] } }, endpoints: [] }),
  )
  t.equal(warned.code, 0, 'likely mistakes are warnings: the file still serves as KrakenD would')
  t.match(warned.output, /\/extra_config\/security~1cors\/allow_credentials: browsers refuse credentialed requests/)
  t.match(warned.output, /\/extra_config\/security~1cors\/allow_origins\/1: never matches/)
  t.match(warned.output, /\/extra_config\/security~1cors\/allow_origin: is not a key rxgate knows; did you mean "allow_origins"\?/)
})
