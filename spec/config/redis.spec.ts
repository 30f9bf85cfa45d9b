import t from 'tap'
import { normalizeConfig } from '../../lib/config/normalize.js'
import { validateConfig } from '../../lib/config/validate.js'

const service = (redis: unknown, endpointExtra: Record<string, unknown> = {}) => ({
  version: 3,
  host: ['http://api:8080'],
  extra_config: { redis },
  endpoints: [{ endpoint: '/users/{id}', extra_config: endpointExtra, backend: [{ url_pattern: '/users/{id}' }] }],
})

t.test("the service's redis namespace: connection pools in KrakenD's shape", async (t) => {
  const pools = { connection_pools: [{ name: 'shared', address: '127.0.0.1:6379', db: 1 }, { name: 'old', address: 'redis:6379', database: 2 }] }
  t.same(validateConfig(service(pools)), { problems: [], warnings: [] })
  t.same(normalizeConfig(service(pools)).redis, pools, 'kept as written, for the pools to read')
  t.same(normalizeConfig({ version: 3, endpoints: [] }).redis, {}, 'none declared: none')
})

t.test('a pool needs a name and an address, and each name is declared once', async (t) => {
  const { problems } = validateConfig(service({ connection_pools: [{ name: 'a', address: 'x:1' }, { name: 'a', address: 'y:1' }, { address: 'z:1' }, { name: 'b', address: 7 }] }))
  t.same(problems, [
    '/extra_config/redis/connection_pools/1/name: "a" is also the name of pool 0: each pool needs its own',
    '/extra_config/redis/connection_pools/2/name: is required',
    '/extra_config/redis/connection_pools/3/address: must be a string (got 7)',
  ])
})

t.test('a connection_pool that names no declared pool is a problem, at its JSON path', async (t) => {
  const pools = { connection_pools: [{ name: 'shared', address: '127.0.0.1:6379' }] }
  const { problems } = validateConfig(service(pools, { 'qos/ratelimit/router/redis': { connection_pool: 'shard', max_rate: 10 } }))
  t.ok(
    problems.includes(
      '/endpoints/0/extra_config/qos~1ratelimit~1router~1redis/connection_pool: names no Redis connection pool (the pools are "shared"): declare it in the service\'s extra_config "redis" "connection_pools"',
    ),
    problems.join('\n'),
  )
  const none = validateConfig({ version: 3, host: ['http://api:8080'], endpoints: [{ endpoint: '/a', extra_config: { 'qos/ratelimit/router/redis': { connection_name: 'x' } }, backend: [{ url_pattern: '/' }] }] })
  t.ok(none.problems.some((problem) => problem.includes('/connection_name: names no Redis connection pool (none is declared)')), "KrakenD's older connection_name too")
})
