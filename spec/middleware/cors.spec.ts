import { Writable } from 'node:stream'
import { pino } from 'pino'
import { map, throwError } from 'rxjs'
import t from 'tap'
import { gateway } from '../../lib/gateway.js'
import { cors } from '../../lib/middleware/cors.js'
import { canonicalHeaderName, compileCorsPolicy, corsProblems } from '../../lib/middleware/cors-policy.js'
import { rawRequest } from '../helpers/raw-request.js'
import { quiet, serveGateway } from '../helpers/serve-gateway.js'

const preflight = (origin: string | undefined, method: string, headers: Record<string, string> = {}) => ({
  method: 'OPTIONS',
  headers: { ...(origin === undefined ? {} : { origin }), 'access-control-request-method': method, ...headers },
})

const CORS_HEADERS = [
  'access-control-allow-origin',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-allow-credentials',
  'access-control-max-age',
  'access-control-allow-private-network',
  'access-control-expose-headers',
]
const corsHeadersOf = (headers: Record<string, unknown>) => Object.fromEntries(CORS_HEADERS.filter((name) => name in headers).map((name) => [name, headers[name]]))

t.test('the policy: origins exact (letter case ignored), with one wildcard, or any', async (t) => {
  const policy = compileCorsPolicy({ allow_origins: ['https://Example.com', 'https://*.example.org', 'http://localhost:*'] })
  t.equal(policy.anyOrigin, false)
  t.ok(policy.allowsOrigin('https://example.com'))
  t.ok(policy.allowsOrigin('HTTPS://EXAMPLE.COM'))
  t.notOk(policy.allowsOrigin('https://example.com.evil.net'), 'an exact origin is matched whole')
  t.notOk(policy.allowsOrigin('http://example.com'), 'the scheme counts')
  t.ok(policy.allowsOrigin('https://app.example.org'))
  t.ok(policy.allowsOrigin('https://a.b.example.org'), 'the * stands for any characters, dots too (as rs/cors)')
  t.notOk(policy.allowsOrigin('https://example.org'), 'the prefix and the suffix must both be there')
  t.notOk(policy.allowsOrigin('https://evilexample.org'))
  t.ok(policy.allowsOrigin('http://localhost:3000'))
  t.notOk(policy.allowsOrigin('null'))
  for (const any of [[], ['*'], ['https://example.com', '*']]) {
    const open = compileCorsPolicy({ allow_origins: any })
    t.ok(open.anyOrigin && open.allowsOrigin('https://whoever.net') && open.allowsOrigin('null'), `${JSON.stringify(any)}: any origin`)
  }
})

t.test('the policy: methods, headers and the rest, with KrakenD\'s defaults', async (t) => {
  const defaults = compileCorsPolicy({})
  t.same(['GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'get'].map(defaults.allowsMethod), [true, true, true, true, false, false], 'GET, POST, HEAD; OPTIONS always; methods are case-sensitive')
  t.ok(defaults.allowsHeaders('x-anything, authorization'), 'no allow_headers: any header, as KrakenD sets it up')
  t.same([defaults.exposeHeaders, defaults.maxAge, defaults.successStatus, defaults.credentials, defaults.passthrough], [undefined, undefined, 204, false, false])
  t.equal(defaults.preflightVary, 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers')

  const policy = compileCorsPolicy({
    allow_methods: ['PUT'],
    allow_headers: ['X-Custom', 'Authorization'],
    expose_headers: ['content-length', 'x-rxgate-completed'],
    max_age: '1m30.9s',
    options_success_status: 200,
    allow_private_network: true,
  })
  t.same(['PUT', 'GET', 'OPTIONS'].map(policy.allowsMethod), [true, false, true])
  t.ok(policy.allowsHeaders('authorization,x-custom'), 'the names browsers send: lower case, sorted')
  t.ok(policy.allowsHeaders('X-Custom , Authorization,,'), 'any case, any order, empty elements skipped')
  t.ok(policy.allowsHeaders('origin'), 'Origin is always allowed')
  t.ok(policy.allowsHeaders(''), 'nothing asked: nothing refused')
  t.notOk(policy.allowsHeaders('x-custom, x-other'), 'one name not listed refuses the lot')
  t.equal(policy.exposeHeaders, 'Content-Length, X-Rxgate-Completed', "Go's canonical names")
  t.equal(policy.maxAge, '90', 'whole seconds')
  t.equal(policy.successStatus, 200)
  t.match(policy.preflightVary, /, Access-Control-Request-Private-Network$/)
  t.equal(compileCorsPolicy({ max_age: '900ms' }).maxAge, undefined, 'under a second: no Max-Age')
  t.throws(() => compileCorsPolicy({ options_success_status: 42 }), { code: 'RXGATE_ERR_BAD_ARGUMENT' })
  t.equal(canonicalHeaderName('x-REQUEST-id'), 'X-Request-Id')
  t.equal(canonicalHeaderName('not a token'), 'not a token', 'a name that is not a token stays, as in Go')
})

t.test('the check: origins that never match, and any origin with credentials, are warned about', async (t) => {
  t.same(corsProblems({ allow_origins: ['https://example.com'] }), [])
  t.match(corsProblems({ allow_origins: ['https://example.com/'] }), [{ path: '/allow_origins/0', message: /never matches/, warning: true }])
  t.match(corsProblems({ allow_origins: ['https://example.com/app'] }), [{ path: '/allow_origins/0', message: /no path/ }])
  t.match(corsProblems({ allow_origins: ['https://*.*.example.com'] }), [{ path: '/allow_origins/0', message: /only its first "\*"/ }])
  t.match(corsProblems({ allow_origins: ['*'], allow_credentials: true }), [{ path: '/allow_credentials', message: /Access-Control-Allow-Origin: \*/ }])
  t.match(corsProblems({ allow_credentials: true }), [{ path: '/allow_credentials' }], 'no origins listed is any origin')
})

t.test('preflights are answered before routing, on any path, routed or not', async (t) => {
  const gw = gateway(quiet)
    .use(cors({ allow_origins: ['https://app.example.com'], allow_methods: ['GET', 'PUT'], allow_headers: ['X-Token'], max_age: '10m', allow_credentials: true }))
    .get('/items', map(() => ({ items: [] })))
  const base = await serveGateway(t, gw)

  const allowed = await rawRequest(base, '/items', preflight('https://app.example.com', 'PUT', { 'access-control-request-headers': 'x-token' }))
  t.equal(allowed.status, 204)
  t.equal(allowed.body, '')
  t.same(corsHeadersOf(allowed.headers), {
    'access-control-allow-origin': 'https://app.example.com',
    'access-control-allow-methods': 'PUT',
    'access-control-allow-headers': 'x-token',
    'access-control-allow-credentials': 'true',
    'access-control-max-age': '600',
  })
  t.equal(allowed.headers.vary, 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers')
  t.equal(allowed.headers['x-rxgate-completed'], undefined, 'not an endpoint answer')

  const unrouted = await rawRequest(base, '/no/such/path', preflight('https://app.example.com', 'GET'))
  t.equal(unrouted.status, 204, 'no OPTIONS route, no route at all: still answered')
  t.equal(unrouted.headers['access-control-allow-origin'], 'https://app.example.com')
  t.equal(unrouted.headers['access-control-allow-headers'], undefined, 'no headers asked: none allowed')

  const refusals = {
    'an origin not listed': preflight('https://evil.example.net', 'GET'),
    'no origin': preflight(undefined, 'GET'),
    'a method not listed': preflight('https://app.example.com', 'DELETE'),
    'a header not listed': preflight('https://app.example.com', 'GET', { 'access-control-request-headers': 'x-token,x-other' }),
  }
  for (const [what, options] of Object.entries(refusals)) {
    const refused = await rawRequest(base, '/items', options)
    t.equal(refused.status, 204, `${what}: answered all the same, as rs/cors does`)
    t.same(corsHeadersOf(refused.headers), {}, `${what}: without a single CORS header, which the browser reads as a refusal`)
    t.match(refused.headers.vary, /^Origin, Access-Control-Request-Method/)
  }

  const plainOptions = await rawRequest(base, '/items', { method: 'OPTIONS', headers: { origin: 'https://app.example.com' } })
  t.equal(plainOptions.status, 405, 'an OPTIONS without Access-Control-Request-Method is no preflight: routed as any request')
  t.equal(plainOptions.headers['access-control-allow-origin'], 'https://app.example.com', 'with the CORS headers of an actual request')
})

t.test('preflight options: success status, private network, any origin', async (t) => {
  const base = await serveGateway(t, gateway(quiet).use(cors({ options_success_status: 200, allow_private_network: true })))
  const answer = await rawRequest(base, '/x', preflight('https://site.example', 'POST', { 'access-control-request-private-network': 'true', 'access-control-request-headers': 'x-a,x-b' }))
  t.equal(answer.status, 200)
  t.same(corsHeadersOf(answer.headers), {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': 'POST',
    'access-control-allow-headers': 'x-a,x-b',
    'access-control-allow-private-network': 'true',
  })
  t.equal(answer.headers.vary, 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network')
  const notAsked = await rawRequest(base, '/x', preflight('https://site.example', 'POST'))
  t.equal(notAsked.headers['access-control-allow-private-network'], undefined, 'only when the browser asks')

  const closed = await serveGateway(t, gateway(quiet).use(cors({})))
  const refused = await rawRequest(closed, '/x', preflight('https://site.example', 'GET', { 'access-control-request-private-network': 'true' }))
  t.equal(refused.headers['access-control-allow-private-network'], undefined, 'not allowed unless allow_private_network')
  t.equal(refused.headers['access-control-allow-origin'], '*', 'the rest of the preflight is allowed: no Private Network Access header')
})

t.test('options_passthrough: a preflight goes on to the router and the endpoint, with its CORS headers', async (t) => {
  const seen: string[] = []
  const gw = gateway({ ...quiet, autoOptions: true })
    .use(cors({ allow_origins: ['https://app.example.com'], options_passthrough: true }))
    .route('OPTIONS', '/custom', map((request) => {
      seen.push(String(request.headers['access-control-request-method']))
      return { options: 'handled by the endpoint' }
    }))
    .get('/auto', map(() => ({})))
  const base = await serveGateway(t, gw)

  const custom = await rawRequest(base, '/custom', preflight('https://app.example.com', 'GET'))
  t.equal(custom.status, 200)
  t.same(JSON.parse(custom.body), { options: 'handled by the endpoint' })
  t.same(seen, ['GET'], 'the endpoint saw the preflight')
  t.equal(custom.headers['access-control-allow-origin'], 'https://app.example.com')
  t.equal(custom.headers['access-control-allow-methods'], 'GET')

  const auto = await rawRequest(base, '/auto', preflight('https://app.example.com', 'GET'))
  t.equal(auto.status, 200, "the router's auto_options answers")
  t.equal(auto.headers.allow, 'GET, OPTIONS')
  t.equal(auto.headers['access-control-allow-origin'], 'https://app.example.com')

  const none = await rawRequest(base, '/nowhere', preflight('https://app.example.com', 'GET'))
  t.equal(none.status, 404, 'and an unrouted one gets what the router says')
  t.equal(none.headers['access-control-allow-origin'], 'https://app.example.com')
})

t.test('actual requests get their CORS headers on any answer: 200, 500, 404, and beside a negotiated Vary', async (t) => {
  const gw = gateway(quiet)
    .use(cors({ allow_origins: ['https://*.example.com'], allow_methods: ['GET'], expose_headers: ['x-rxgate-completed'], allow_credentials: true }))
    .get('/ok', map(() => ({ ok: true })))
    .get('/broken', () => throwError(() => new Error('boom')))
    .get('/negotiated', map(() => ({ ok: true })), { encoding: 'negotiate' })
    .post('/write', map(() => ({ written: true })))
  const base = await serveGateway(t, gw)
  const origin = { origin: 'https://shop.example.com' }
  const expected = {
    'access-control-allow-origin': 'https://shop.example.com',
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': 'X-Rxgate-Completed',
  }
  for (const [path, status] of [['/ok', 200], ['/broken', 500], ['/nowhere', 404]] as const) {
    const answer = await rawRequest(base, path, { headers: origin })
    t.equal(answer.status, status)
    t.same(corsHeadersOf(answer.headers), expected, `${status}: CORS headers`)
    t.equal(answer.headers.vary, 'Origin')
  }
  const negotiated = await rawRequest(base, '/negotiated', { headers: origin })
  t.equal(negotiated.headers.vary, 'Origin, Accept', "the answer's own Vary is kept beside Origin")

  const post = await rawRequest(base, '/write', { method: 'POST', headers: origin })
  t.equal(post.status, 200, 'a method not allowed for CORS is still served')
  t.same(corsHeadersOf(post.headers), {}, 'but without CORS headers')
  const stranger = await rawRequest(base, '/ok', { headers: { origin: 'https://example.net' } })
  t.same(corsHeadersOf(stranger.headers), {})
  t.equal(stranger.headers.vary, 'Origin', 'Vary: Origin whatever the origin')
  const sameOrigin = await rawRequest(base, '/ok')
  t.same(corsHeadersOf(sameOrigin.headers), {}, 'no Origin: no CORS headers')
  t.equal(sameOrigin.headers.vary, 'Origin')
})

t.test('any origin is answered "*", never reflected, even with credentials (as rs/cors)', async (t) => {
  const base = await serveGateway(t, gateway(quiet).use(cors({ allow_credentials: true })).get('/ok', map(() => ({}))))
  const answer = await rawRequest(base, '/ok', { headers: { origin: 'https://any.example' } })
  t.equal(answer.headers['access-control-allow-origin'], '*')
  t.equal(answer.headers['access-control-allow-credentials'], 'true')
})

t.test('debug logs each decision at debug level', async (t) => {
  const lines: Record<string, unknown>[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>)
      done()
    },
  })
  const logger = pino({ level: 'debug' }, sink)
  const base = await serveGateway(t, gateway(quiet).use(cors({ allow_origins: ['https://a.example'], debug: true }, logger)))
  await rawRequest(base, '/x', preflight('https://b.example', 'GET'))
  await rawRequest(base, '/x', { headers: { origin: 'https://a.example' } })
  t.match(lines, [
    { level: 20, msg: 'cors: preflight aborted: origin not allowed', origin: 'https://b.example' },
    { level: 20, msg: 'cors: CORS headers added', origin: 'https://a.example', method: 'GET' },
  ])
  lines.length = 0
  const silent = await serveGateway(t, gateway(quiet).use(cors({ allow_origins: ['https://a.example'] }, logger)))
  await rawRequest(silent, '/x', preflight('https://b.example', 'GET'))
  t.same(lines, [], 'without debug, nothing')
})
