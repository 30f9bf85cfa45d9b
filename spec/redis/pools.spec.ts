import t from 'tap'
import { pino } from 'pino'
import { RedisPools } from '../../lib/redis/pools.js'
import { recordingLogger } from '../helpers/serve-gateway.js'
import { needsRedis, startRedis } from '../helpers/redis-server.js'

const silent = pino({ level: 'silent' })

t.test('a pool is one client, made when first asked for, on its database', needsRedis, async (t) => {
  const redis = await startRedis(t)
  const pools = new RedisPools({ connection_pools: [{ name: 'shared', address: redis.address }, { name: 'counters', address: redis.address, database: 2 }] }, silent)
  t.teardown(() => pools.close())
  t.same(pools.names, ['shared', 'counters'])
  const shared = pools.get('shared')
  t.equal(pools.get('shared'), shared, 'the same client every time')
  pools.get('counters')
  await pools.connected()
  t.equal(shared.status, 'ready', 'connected() waits for the clients made')
  await shared.set('key', 'db0')
  await pools.get('counters').set('key', 'db2')
  t.equal(await shared.get('key'), 'db0')
  t.equal(await pools.get('counters').get('key'), 'db2', "`database`, KrakenD's older name of `db`, selects the database")
  t.throws(() => pools.get('missing'), { code: 'RXGATE_ERR_BAD_ARGUMENT', message: /no Redis connection pool is named "missing": the pools are "shared", "counters"/ })
})

t.test('while Redis is down a command fails at once, and the client reconnects by itself', needsRedis, async (t) => {
  const redis = await startRedis(t)
  const { logger, lines } = recordingLogger()
  const pools = new RedisPools({ connection_pools: [{ name: 'shared', address: redis.address, max_retry_backoff: '50ms' }] }, logger)
  t.teardown(() => pools.close())
  const client = pools.get('shared')
  await pools.connected()
  t.equal(await client.ping(), 'PONG')
  await redis.stop()
  await new Promise((resolve) => setTimeout(resolve, 50))
  const started = Date.now()
  await t.rejects(client.ping(), 'the command fails')
  t.ok(Date.now() - started < 100, 'at once: no queue, no wait for a reconnection')
  await redis.start()
  const deadline = Date.now() + 3000
  let answer: string | undefined
  while (Date.now() < deadline && answer !== 'PONG') {
    await new Promise((resolve) => setTimeout(resolve, 20))
    answer = await client.ping().catch(() => undefined)
  }
  t.equal(answer, 'PONG', 'back without a restart')
  const outage = lines.filter((line) => line.msg === 'Redis is unreachable: reconnecting')
  t.equal(outage.length, 1, 'one line for the outage, not one per attempt')
  t.ok(lines.some((line) => line.msg === 'Redis is reachable again'))
})

t.test('connected() gives up after its deadline, saying which pools are not there yet', async (t) => {
  const { logger, lines } = recordingLogger()
  const pools = new RedisPools({ connection_pools: [{ name: 'nowhere', address: '127.0.0.1:1' }] }, logger)
  t.teardown(() => pools.close())
  pools.get('nowhere')
  const started = Date.now()
  await pools.connected(200)
  t.ok(Date.now() - started < 1000)
  t.match(lines.at(-1), { pools: ['nowhere'], msg: /not reachable yet after 200 ms/ })
})

t.test('close() ends the clients made', needsRedis, async (t) => {
  const redis = await startRedis(t)
  const pools = new RedisPools({ connection_pools: [{ name: 'shared', address: redis.address }] }, silent)
  const client = pools.get('shared')
  await pools.connected()
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()))
  await pools.close()
  await ended
  t.equal(client.status, 'end', 'the connection is gone')
})
