import { map, pipe } from 'rxjs'
import t from 'tap'
import { backend } from '../../lib/backend/index.js'
import { gateway } from '../../lib/gateway.js'
import { backendRateLimit } from '../../lib/middleware/backend-rate-limit.js'
import { rateLimitProblems, readLimits } from '../../lib/middleware/rate-limit-options.js'
import { rateLimit } from '../../lib/middleware/rate-limit.js'
import { serviceRateLimit } from '../../lib/middleware/service-rate-limit.js'
import { fanOut, merge } from '../../operators/index.js'
import { httpBackend, sendJson } from '../fixtures/backends.js'
import { rawRequest } from '../helpers/raw-request.js'
import { quiet, serveGateway } from '../helpers/serve-gateway.js'

const hello = map(() => ({ hello: 'world' }))
const error = (answer: { body: string }) => (JSON.parse(answer.body) as { error: { code: string; message: string } }).error

async function statuses(base: string, path: string, count: number, headers: Record<string, string> = {}): Promise<number[]> {
  const seen: number[] = []
  for (let i = 0; i < count; i++) seen.push((await rawRequest(base, path, { headers })).status)
  return seen
}

t.test('max_rate: all clients together; past it 503 with Retry-After, before any backend', async (t) => {
  const api = await httpBackend((_req, res) => sendJson(res, { ok: true }))
  t.teardown(() => api.close())
  const limited = rateLimit({ max_rate: 3, every: '1m', capacity: 3 })
  const base = await serveGateway(t, gateway(quiet).get('/limited', limited(pipe(fanOut({ api: backend(`${api.origin}/`) }), merge()))))
  t.same(await statuses(base, '/limited', 3), [200, 200, 200])
  const refused = await rawRequest(base, '/limited')
  t.equal(refused.status, 503)
  t.equal(refused.headers['retry-after'], '20', 'one token every 20 s')
  t.same(error(refused), { code: 'RXGATE_ERR_RATE_LIMITED', message: 'the endpoint is over its rate limit: retry after 20s' })
  t.equal(api.seen.length, 3, 'the refused request never reached the backend')
})

t.test("capacity defaults to KrakenD's: the rate per second, at least 1", async (t) => {
  const base = await serveGateway(
    t,
    gateway(quiet)
      .get('/per-second', rateLimit({ max_rate: 4 })(hello))
      .get('/per-minute', rateLimit({ max_rate: 30, every: '1m' })(hello)),
  )
  t.same(await statuses(base, '/per-second', 5), [200, 200, 200, 200, 503], '4 per second: a burst of 4')
  t.same(await statuses(base, '/per-minute', 2), [200, 503], '30 per minute is under 1 per second: a burst of 1')
})

t.test('client_max_rate by header: each client its own bucket, 429 for the one over it', async (t) => {
  const limited = rateLimit({ client_max_rate: 2, client_capacity: 2, every: '1m', strategy: 'header', key: 'X-Tenant' })
  const base = await serveGateway(t, gateway(quiet).get('/orders', limited(hello)))
  t.same(await statuses(base, '/orders', 3, { 'x-tenant': 'acme' }), [200, 200, 429])
  t.same(await statuses(base, '/orders', 2, { 'x-tenant': 'globex' }), [200, 200], "another tenant is not held back by acme's limit")
  const refused = await rawRequest(base, '/orders', { headers: { 'x-tenant': 'acme' } })
  t.equal(refused.headers['retry-after'], '30')
  t.same(error(refused), { code: 'RXGATE_ERR_TOO_MANY_REQUESTS', message: 'this client is over its rate limit: retry after 30s' })
  const anonymous = await rawRequest(base, '/orders')
  t.equal(anonymous.status, 429, 'without the header there is no client to count: refused, as KrakenD refuses it')
  t.equal(anonymous.headers['retry-after'], undefined, 'no Retry-After: the same request never passes')
  t.equal(error(anonymous).message, 'the request has no X-Tenant header to count its rate limit by')
})

t.test('client_max_rate by param: each value of the route parameter is a client', async (t) => {
  const limited = rateLimit({ client_max_rate: 1, every: '1m', strategy: 'param', key: 'customer' })
  const base = await serveGateway(t, gateway(quiet).get('/api/{customer}/invoices', limited(hello)))
  t.same(await statuses(base, '/api/1234/invoices', 2), [200, 429])
  t.same(await statuses(base, '/api/5678/invoices', 1), [200])
})

t.test('client_max_rate by ip: the client IP as the router resolves it', async (t) => {
  const limited = rateLimit({ client_max_rate: 1, every: '1m', strategy: 'ip' })
  const gw = gateway({ ...quiet, clientIp: { forwardedByClientIp: true, trustedProxies: ['127.0.0.1'] } }).get('/x', limited(hello))
  const base = await serveGateway(t, gw)
  const from = (ip: string) => ({ 'x-forwarded-for': ip })
  t.same(await statuses(base, '/x', 2, from('203.0.113.9')), [200, 429])
  t.same(await statuses(base, '/x', 1, from('198.51.100.4')), [200], 'another client behind the same trusted proxy')
})

t.test('both limits: the client is checked first, so a refused client takes nothing from the others', async (t) => {
  const limited = rateLimit({ max_rate: 3, capacity: 3, client_max_rate: 1, every: '1m', strategy: 'header', key: 'X-User' })
  const base = await serveGateway(t, gateway(quiet).get('/x', limited(hello)))
  const as = (user: string) => ({ 'x-user': user })
  t.same(await statuses(base, '/x', 5, as('mallory')), [200, 429, 429, 429, 429])
  t.same(await statuses(base, '/x', 1, as('ada')), [200])
  t.same(await statuses(base, '/x', 1, as('grace')), [200])
  t.same(await statuses(base, '/x', 1, as('linus')), [503], 'the endpoint is out of tokens: 3 passed, mallory spent only one')
})

t.test('the service rate limit: every request, before routing', async (t) => {
  const gw = gateway(quiet)
    .use(serviceRateLimit({ max_rate: 3, capacity: 3, every: '1m' }))
    .get('/a', hello)
    .get('/b', hello)
  const base = await serveGateway(t, gw)
  t.equal((await rawRequest(base, '/a')).status, 200)
  t.equal((await rawRequest(base, '/b')).status, 200)
  t.equal((await rawRequest(base, '/nowhere')).status, 404, 'an unknown path takes a token too')
  const refused = await rawRequest(base, '/a')
  t.equal(refused.status, 503)
  t.equal(refused.headers['retry-after'], '20')
  t.same(error(refused), { code: 'RXGATE_ERR_RATE_LIMITED', message: 'the gateway is over its rate limit: retry after 20s' })
})

t.test('the service rate limit per client IP: the IP the router resolves', async (t) => {
  const gw = gateway({ ...quiet, clientIp: { forwardedByClientIp: true, trustedProxies: ['127.0.0.0/8'] } })
    .use(serviceRateLimit({ client_max_rate: 2, client_capacity: 2, every: '1m', strategy: 'ip' }))
    .get('/a', hello)
  const base = await serveGateway(t, gw)
  const from = (ip: string) => ({ 'x-forwarded-for': ip })
  t.same(await statuses(base, '/a', 3, from('203.0.113.9')), [200, 200, 429])
  t.same(await statuses(base, '/nowhere', 1, from('203.0.113.9')), [429], 'whatever the path')
  t.same(await statuses(base, '/a', 1, from('198.51.100.4')), [200], 'another client behind the same trusted proxy')
})

t.test('qos/ratelimit/proxy: a backend over its limit is a failed part, not a call', async (t) => {
  const limitedApi = await httpBackend((_req, res) => sendJson(res, { prices: [1, 2] }))
  const freeApi = await httpBackend((_req, res) => sendJson(res, { user: 'ada' }))
  t.teardown(() => Promise.all([limitedApi.close(), freeApi.close()]))
  const prices = backendRateLimit({ max_rate: 2, capacity: 2, every: '1m' }, { at: 'backend /prices' })(backend(`${limitedApi.origin}/prices`))
  const users = backend(`${freeApi.origin}/users`)
  const base = await serveGateway(t, gateway(quiet).get('/page', pipe(fanOut({ prices, users }), merge())))
  for (let i = 0; i < 2; i++) {
    const whole = await rawRequest(base, '/page')
    t.equal(whole.headers['x-rxgate-completed'], 'true')
  }
  const partial = await rawRequest(base, '/page')
  t.equal(partial.status, 200, 'the other backend still answers')
  t.equal(partial.headers['x-rxgate-completed'], 'false')
  t.same(JSON.parse(partial.body), { user: 'ada' })
  t.equal(limitedApi.seen.length, 2, 'the call past the limit was not made')
  t.equal(freeApi.seen.length, 3)

  const alone = await serveGateway(t, gateway(quiet).get('/alone', pipe(fanOut({ prices }), merge())))
  const failed = await rawRequest(alone, '/alone')
  t.equal(failed.status, 500, 'alone, it fails the endpoint as KrakenD does')
  t.equal(error(failed).code, 'RXGATE_ERR_BACKEND_RATE_LIMITED')
})

t.test('blocks that cannot work are refused when the middleware is made, naming the key', async (t) => {
  t.throws(() => rateLimit({}), { code: 'RXGATE_ERR_BAD_ARGUMENT', message: 'qos/ratelimit/router: the block sets no limit: give max_rate (all clients together), client_max_rate (each client), or both' })
  t.throws(() => rateLimit({ max_rate: 0 }), { message: /^qos\/ratelimit\/router: max_rate must be a number above 0/ })
  t.throws(() => rateLimit({ client_max_rate: 5 }), { message: /strategy is required with client_max_rate/ })
  t.throws(() => rateLimit({ client_max_rate: 5, strategy: 'header' }), { message: /key is required with strategy "header"/ })
  t.throws(() => serviceRateLimit({ client_max_rate: 5, strategy: 'param', key: 'id' }), { message: /^qos\/ratelimit\/service: strategy cannot be "param" at the service/ })
  t.throws(() => backendRateLimit({ max_rate: -1 }), { message: /^qos\/ratelimit\/proxy: max_rate must be a number above 0/ })
  t.throws(() => rateLimit({ max_rate: 1, capacity: 0 }), { message: /capacity must be a whole number of at least 1/ })
  t.throws(() => rateLimit({ max_rate: 1, every: '0s' }), { message: /every must be a duration above 0/ })
})

t.test('findings for check: problems and warnings with their pointer inside the block', async (t) => {
  t.same(rateLimitProblems({ max_rate: 10, every: '100ms' }, 'endpoint'), [
    { path: '/every', message: "is under 1s, which KrakenD's router reads as 1s: the rates count per second", warning: true },
  ])
  t.same(rateLimitProblems({ max_rate: 10, every: '100ms' }, 'backend'), [], 'the proxy limit takes any window')
  t.same(rateLimitProblems({ max_rate: 10, strategy: 'ip', key: 'X-Real-Ip' }, 'endpoint').map((f) => f.path), ['/key', '/strategy'])
  t.same(rateLimitProblems({ capacity: 3 }, 'backend'), [{ path: '/max_rate', message: 'is required: the calls per every this backend may get' }])
  t.same(readLimits({ max_rate: 10, every: '100ms' }, 'endpoint', 'qos/ratelimit/router').total, { max_rate: 10, every: 1000 }, 'read as KrakenD reads it')
  t.same(readLimits({ max_rate: 10, every: '100ms' }, 'backend', 'qos/ratelimit/proxy').total, { max_rate: 10, every: 100 })
})
