import { pino } from 'pino'
import { map } from 'rxjs'
import t, { type Test } from 'tap'
import { gateway } from '../../lib/gateway.js'
import { KEY_PREFIX, redisRateLimit, redisRateLimitProblems, serviceRedisRateLimit } from '../../lib/middleware/redis-rate-limit.js'
import { RedisPools } from '../../lib/redis/pools.js'
import { rawRequest } from '../helpers/raw-request.js'
import { needsRedis, startRedis, type TestRedis } from '../helpers/redis-server.js'
import { quiet, serveGateway } from '../helpers/serve-gateway.js'

const silent = pino({ level: 'silent' })
const hello = map(() => ({ hello: 'world' }))
const error = (answer: { body: string }) => (JSON.parse(answer.body) as { error: { code: string; message: string } }).error

/** A pool of its own on the test's Redis: each one is what another gateway process would have. */
async function pools(t: Test, redis: TestRedis): Promise<RedisPools> {
  const made = new RedisPools({ connection_pools: [{ name: 'shared', address: redis.address, max_retry_backoff: '50ms' }] }, silent)
  t.teardown(() => made.close())
  made.get('shared')
  await made.connected()
  return made
}

async function statuses(base: string, path: string, count: number, headers: Record<string, string> = {}): Promise<number[]> {
  const seen: number[] = []
  for (let i = 0; i < count; i++) seen.push((await rawRequest(base, path, { headers })).status)
  return seen
}

t.test('two gateways sharing one Redis share one limit', needsRedis, async (t) => {
  const redis = await startRedis(t)
  const limit = { connection_pool: 'shared', max_rate: 5, capacity: 5, every: '1m' }
  const one = await serveGateway(t, gateway(quiet).get('/x', redisRateLimit(limit, { redis: await pools(t, redis), at: '/x' })(hello)))
  const two = await serveGateway(t, gateway(quiet).get('/x', redisRateLimit(limit, { redis: await pools(t, redis), at: '/x' })(hello)))
  const seen: number[] = []
  for (let i = 0; i < 5; i++) {
    seen.push((await rawRequest(one, '/x')).status)
    seen.push((await rawRequest(two, '/x')).status)
  }
  t.same(seen, [200, 200, 200, 200, 200, 503, 503, 503, 503, 503], 'five in all, whichever instance answered')
  const refused = await rawRequest(one, '/x')
  t.equal(refused.headers['retry-after'], '12', 'a token every 12 s, as Redis counts it')
  t.same(error(refused), { code: 'RXGATE_ERR_RATE_LIMITED', message: 'the endpoint is over its rate limit: retry after 12s' })
})

t.test('a limit far above the traffic lets every request through, whatever its rate', needsRedis, async (t) => {
  const redis = await startRedis(t)
  const limit = { connection_pool: 'shared', max_rate: 10_000_000, client_max_rate: 10_000_000, strategy: 'ip' as const }
  const base = await serveGateway(t, gateway(quiet).get('/x', redisRateLimit(limit, { redis: await pools(t, redis), at: '/x' })(hello)))
  const all = await Promise.all(Array.from({ length: 50 }, () => rawRequest(base, '/x')))
  t.same(new Set(all.map((answer) => answer.status)), new Set([200]), 'an interval under the clock\'s precision still writes a key that expires')
})

t.test('concurrent requests cannot take the same last token', needsRedis, async (t) => {
  const redis = await startRedis(t)
  const limit = { connection_pool: 'shared', max_rate: 20, capacity: 20, every: '1h' }
  const bases = await Promise.all(
    [1, 2, 3].map(async () => serveGateway(t, gateway(quiet).get('/x', redisRateLimit(limit, { redis: await pools(t, redis), at: '/x' })(hello)))),
  )
  const all = await Promise.all(Array.from({ length: 150 }, (_, i) => rawRequest(bases[i % 3]!, '/x')))
  t.equal(all.filter((answer) => answer.status === 200).length, 20, '150 requests at once on three instances: exactly 20 let through')
})

t.test('client_max_rate in Redis: one bucket per client, a key that expires when the bucket is full', needsRedis, async (t) => {
  const redis = await startRedis(t)
  const shared = await pools(t, redis)
  const limited = redisRateLimit({ connection_pool: 'shared', client_max_rate: 2, client_capacity: 2, every: '1m', strategy: 'header', key: 'X-Tenant' }, { redis: shared, at: '/orders' })
  const base = await serveGateway(t, gateway(quiet).get('/orders', limited(hello)))
  t.same(await statuses(base, '/orders', 3, { 'x-tenant': 'acme' }), [200, 200, 429])
  t.same(await statuses(base, '/orders', 1, { 'x-tenant': 'globex' }), [200])
  const refused = await rawRequest(base, '/orders', { headers: { 'x-tenant': 'acme' } })
  t.same(error(refused).code, 'RXGATE_ERR_TOO_MANY_REQUESTS')
  t.equal(refused.headers['retry-after'], '30')
  t.equal((await rawRequest(base, '/orders')).status, 429, 'no header, no client: refused without asking Redis')
  const client = shared.get('shared')
  const keys = (await client.keys(`${KEY_PREFIX}*`)).sort()
  t.same(keys, [`${KEY_PREFIX}/orders:GET:total:client:acme`, `${KEY_PREFIX}/orders:GET:total:client:globex`], 'one key per client seen')
  const ttl = await client.pttl(`${KEY_PREFIX}/orders:GET:total:client:acme`)
  t.ok(ttl > 50_000 && ttl <= 60_000, `acme's key expires once her bucket is full again (in ${ttl} ms)`)
})

t.test('Redis down: on_failure_allow lets requests through, or refuses them with 503; counting resumes when it is back', needsRedis, async (t) => {
  const redis = await startRedis(t)
  const shared = await pools(t, redis)
  const limit = { connection_pool: 'shared', max_rate: 2, capacity: 2, every: '1h' }
  const gw = gateway(quiet)
    .get('/open', redisRateLimit({ ...limit, on_failure_allow: true }, { redis: shared, at: '/open' })(hello))
    .get('/closed', redisRateLimit(limit, { redis: shared, at: '/closed' })(hello))
  const base = await serveGateway(t, gw)
  t.same(await statuses(base, '/closed', 1), [200])
  await redis.stop()
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.same(await statuses(base, '/open', 5), [200, 200, 200, 200, 200], 'on_failure_allow: served without a limit')
  const closed = await rawRequest(base, '/closed')
  t.equal(closed.status, 503, 'the default: refused')
  t.same(error(closed), { code: 'RXGATE_ERR_RATE_LIMIT_UNAVAILABLE', message: 'the rate limit could not be checked: retry later' })
  t.equal(closed.headers['retry-after'], '1')
  await redis.start()
  const deadline = Date.now() + 5000
  while (shared.get('shared').status !== 'ready' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  t.same(await statuses(base, '/open', 3), [200, 200, 503], 'back: counted again (a new Redis starts every bucket full)')
  t.same(await statuses(base, '/closed', 3), [200, 200, 503])
})

t.test('the service limit in Redis: every request of every instance, before routing', needsRedis, async (t) => {
  const redis = await startRedis(t)
  const limit = { connection_pool: 'shared', max_rate: 3, capacity: 3, every: '1h' }
  const one = await serveGateway(t, gateway(quiet).use(serviceRedisRateLimit(limit, { redis: await pools(t, redis) })).get('/a', hello))
  const two = await serveGateway(t, gateway(quiet).use(serviceRedisRateLimit(limit, { redis: await pools(t, redis) })).get('/b', hello))
  t.same(await statuses(one, '/a', 1), [200])
  t.same(await statuses(two, '/b', 1), [200])
  t.same(await statuses(two, '/nowhere', 1), [404])
  const refused = await rawRequest(one, '/a')
  t.equal(refused.status, 503)
  t.same(error(refused).message, 'the gateway is over its rate limit: retry after 1200s')
})

t.test('blocks that cannot work are refused when the middleware is made', async (t) => {
  const none = new RedisPools({}, silent)
  t.throws(() => redisRateLimit({ max_rate: 1 }, { redis: none }), { message: /connection_pool is required/ })
  t.throws(() => redisRateLimit({ connection_pool: 'x', max_rate: 1 }), { message: /no Redis connection pools were given/ })
  t.throws(() => redisRateLimit({ connection_pool: 'x', max_rate: 1 }, { redis: none }), { code: 'RXGATE_ERR_BAD_ARGUMENT', message: /no Redis connection pool is named "x"/ })
  t.throws(() => serviceRedisRateLimit({ connection_pool: 'x' }, { redis: none }), { message: /sets no limit/ })
  t.same(redisRateLimitProblems({ max_rate: 1 }, 'endpoint'), [{ path: '/connection_pool', message: "is required: the name of one of the service's redis connection_pools" }])
  t.same(redisRateLimitProblems({ connection_name: 'shared', max_rate: 1 }, 'endpoint'), [], "KrakenD's newer connection_name")
})
