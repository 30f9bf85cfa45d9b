import { Agent, request } from 'node:http'
import t, { type Test } from 'tap'
import { json, startBackends } from '../../helpers/http-backend.js'
import { rawRequest } from '../../helpers/raw-request.js'
import { needsRedis, startRedis } from '../../helpers/redis-server.js'
import { cli, runGateway, writeConfig } from '../../helpers/run-cli.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const now = () => performance.now()
const error = (answer: { body: string }) => (JSON.parse(answer.body) as { error: { code: string; message: string } }).error

/** One answer under load: its status and error code, when it was sent and answered (ms, this process's clock), or why it got none. */
interface Answer {
  readonly target: string
  readonly status: number
  readonly code: string | undefined
  readonly retryAfter: string | undefined
  readonly sentAt: number
  readonly answeredAt: number
  /** Set when no answer came: a reset connection, a hang past the deadline. */
  readonly failure?: string
}

/** The error code of a JSON error answer; the body itself when it is not one, for the assertion to show. */
function codeOf(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { error?: { code?: string } }).error?.code
  } catch {
    return body
  }
}

/** A GET on a keep-alive connection, with a deadline: a request always ends as an Answer, failed or not. */
function get(agent: Agent, base: string, path: string, target: string, deadline = 5000): Promise<Answer> {
  const url = new URL(path, base)
  const sentAt = now()
  return new Promise((resolve) => {
    const failed = (failure: string) => resolve({ target, status: 0, code: undefined, retryAfter: undefined, sentAt, answeredAt: now(), failure })
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, agent }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', (err) => failed(err.message))
      res.on('end', () => {
        const status = res.statusCode ?? 0
        const body = Buffer.concat(chunks).toString()
        const code = status === 200 ? undefined : codeOf(body)
        const retryAfter = res.headers['retry-after']
        resolve({ target, status, code, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined, sentAt, answeredAt: now() })
      })
    })
    req.setTimeout(deadline, () => req.destroy(new Error(`no answer within ${deadline} ms`)))
    req.on('error', (err) => failed(err.message))
    req.end()
  })
}

interface Target {
  readonly name: string
  readonly base: string
  readonly path: string
}

/**
 * Steady load: `workers` requests in flight on each target, one after the other on keep-alive
 * connections, until `done()` says stop. Resolves with every answer once the last is in.
 */
function drive(t: Test, targets: readonly Target[], workers: number, done: () => boolean): { answers: Answer[]; finished: Promise<Answer[]> } {
  const answers: Answer[] = []
  const runs: Promise<void>[] = []
  for (const target of targets) {
    const agent = new Agent({ keepAlive: true, maxSockets: workers })
    t.teardown(() => agent.destroy())
    for (let i = 0; i < workers; i++) {
      runs.push(
        (async () => {
          while (!done()) answers.push(await get(agent, target.base, target.path, target.name))
        })(),
      )
    }
  }
  return { answers, finished: Promise.all(runs).then(() => answers) }
}

/** The service's `redis` namespace with one pool, `shared`. */
const pools = (address: string) => ({ redis: { connection_pools: [{ name: 'shared', address }] } })

const count = (answers: readonly Answer[], keep: (answer: Answer) => boolean) => answers.filter(keep).length

t.test('two rxgate processes under concurrent load let through what one limit allows, not two', needsRedis, async (t) => {
  const redis = await startRedis(t)
  const [api] = await startBackends(t, json({ ok: true }))
  const rate = 200
  const capacity = 200
  const file = writeConfig({
    version: 3,
    extra_config: pools(redis.address),
    endpoints: [
      {
        endpoint: '/orders',
        extra_config: { 'qos/ratelimit/router/redis': { connection_pool: 'shared', max_rate: rate, every: '1s', capacity } },
        backend: [{ host: [api!.url], url_pattern: '/' }],
      },
    ],
  })
  const [one, two] = await Promise.all([runGateway(t, file), runGateway(t, file)])
  const window = 3000
  const started = now()
  const { finished } = drive(
    t,
    [
      { name: 'one', base: one.base, path: '/orders' },
      { name: 'two', base: two.base, path: '/orders' },
    ],
    12,
    () => now() - started >= window,
  )
  const answers = await finished
  // the bucket refills from its first token to the last request Redis saw: at most this long
  const elapsed = Math.max(...answers.map((answer) => answer.answeredAt)) - Math.min(...answers.map((answer) => answer.sentAt))
  const expected = capacity + (rate * elapsed) / 1000
  const passed = count(answers, (answer) => answer.status === 200)
  const summary = `${passed} of ${answers.length} let through in ${Math.round(elapsed)} ms; one limit allows ${Math.round(expected)}`

  t.same(answers.filter((answer) => answer.failure !== undefined), [], 'every request was answered')
  t.equal(count(answers, (answer) => answer.status === 503 && answer.code === 'RXGATE_ERR_RATE_LIMITED' && answer.retryAfter === '1'), answers.length - passed, 'the rest: 503 with Retry-After')
  t.ok(Math.abs(passed - expected) <= expected * 0.05, `within 5% of capacity + max_rate × elapsed: ${summary}`)
  for (const name of ['one', 'two']) {
    const offered = count(answers, (answer) => answer.target === name)
    // else the test proves nothing: a process counting alone would let through about `expected` of its own
    t.ok(offered > expected * 1.2, `process ${name} was offered ${offered} requests, more than one limit allows`)
    t.ok(count(answers, (answer) => answer.target === name && answer.status === 200) > 0, `process ${name} let some through`)
  }
  t.ok(passed < expected * 1.5, `clearly less than two separate limits would allow (${Math.round(2 * expected)}): ${summary}`)
  t.equal(api!.seen.length, passed, 'the backend was called once per 200, and never for a refusal')
})

t.test('qos/ratelimit/redis at the service: every endpoint of every process counts against one limit', needsRedis, async (t) => {
  const redis = await startRedis(t)
  const [api] = await startBackends(t, json({ ok: true }))
  const backend = [{ host: [api!.url], url_pattern: '/' }]
  const file = writeConfig({
    version: 3,
    extra_config: { ...pools(redis.address), 'qos/ratelimit/redis': { connection_pool: 'shared', max_rate: 6, capacity: 6, every: '1h' } },
    endpoints: [
      { endpoint: '/a', backend },
      { endpoint: '/b', backend },
    ],
  })
  const [one, two] = await Promise.all([runGateway(t, file), runGateway(t, file)])
  const seen: number[] = []
  for (const [base, path] of [
    [one.base, '/a'],
    [two.base, '/b'],
    [one.base, '/nowhere'],
    [two.base, '/a'],
    [one.base, '/b'],
    [two.base, '/b'],
  ] as const) {
    seen.push((await rawRequest(base, path)).status)
  }
  t.same(seen, [200, 200, 404, 200, 200, 200], 'six in all, an unknown path included: the limit runs before routing')
  for (const [base, path] of [
    [one.base, '/a'],
    [two.base, '/b'],
    [two.base, '/nowhere'],
  ] as const) {
    const refused = await rawRequest(base, path)
    t.equal(refused.status, 503, `${path} on the ${base === one.base ? 'first' : 'second'} process: over the shared limit`)
    t.equal(refused.headers['retry-after'], '600', '6 per hour: a token every 10 minutes')
    t.same(error(refused), { code: 'RXGATE_ERR_RATE_LIMITED', message: 'the gateway is over its rate limit: retry after 600s' })
  }
  const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => rawRequest(i % 2 ? one.base : two.base, i % 4 < 2 ? '/a' : '/b')))
  t.same(new Set(burst.map((answer) => answer.status)), new Set([503]), 'twenty at once on both processes: none let through')
  t.equal(api!.seen.length, 5, 'the backend saw the five that passed to an endpoint')
})

t.test('client_max_rate with strategy header: one client has one bucket on every process, others have their own', needsRedis, async (t) => {
  const redis = await startRedis(t)
  const [api] = await startBackends(t, json({ ok: true }))
  const file = writeConfig({
    version: 3,
    extra_config: pools(redis.address),
    endpoints: [
      {
        endpoint: '/orders',
        extra_config: {
          'qos/ratelimit/router/redis': { connection_pool: 'shared', client_max_rate: 3, client_capacity: 3, every: '1h', strategy: 'header', key: 'X-Api-Key' },
        },
        backend: [{ host: [api!.url], url_pattern: '/' }],
      },
    ],
  })
  const [one, two] = await Promise.all([runGateway(t, file), runGateway(t, file)])
  const as = (key: string) => ({ headers: { 'x-api-key': key } })
  const ada: number[] = []
  for (const base of [one.base, two.base, one.base]) ada.push((await rawRequest(base, '/orders', as('ada'))).status)
  t.same(ada, [200, 200, 200], "ada's three, on both processes")
  for (const base of [two.base, one.base]) {
    const refused = await rawRequest(base, '/orders', as('ada'))
    t.equal(refused.status, 429, `ada's fourth on the ${base === one.base ? 'first' : 'second'} process: her bucket is shared`)
    t.equal(refused.headers['retry-after'], '1200', '3 per hour: a token every 20 minutes')
    t.same(error(refused), { code: 'RXGATE_ERR_TOO_MANY_REQUESTS', message: 'this client is over its rate limit: retry after 1200s' })
  }
  const grace: number[] = []
  for (const base of [two.base, one.base, two.base]) grace.push((await rawRequest(base, '/orders', as('grace'))).status)
  t.same(grace, [200, 200, 200], 'another client is unaffected')
  const burst = await Promise.all(Array.from({ length: 30 }, (_, i) => rawRequest(i % 2 ? one.base : two.base, '/orders', as('linus'))))
  const statuses = burst.map((answer) => answer.status)
  t.equal(statuses.filter((status) => status === 200).length, 3, 'thirty at once from one client on both processes: three let through')
  t.equal(statuses.filter((status) => status === 429).length, 27)
  t.equal(api!.seen.length, 9)
})

t.test('Redis stopped and started again under load: the gateway answers every request and counts again by itself', needsRedis, async (t) => {
  const redis = await startRedis(t)
  const [api] = await startBackends(t, json({ ok: true }))
  const backend = [{ host: [api!.url], url_pattern: '/' }]
  const limit = { connection_pool: 'shared', max_rate: 5, capacity: 5, every: '1h' }
  const { base, gateway } = await runGateway(t, {
    extra_config: pools(redis.address),
    endpoints: [
      { endpoint: '/open', extra_config: { 'qos/ratelimit/router/redis': { ...limit, on_failure_allow: true } }, backend },
      { endpoint: '/closed', extra_config: { 'qos/ratelimit/router/redis': limit }, backend },
    ],
  })
  const pid = gateway.child.pid
  let stop = false
  const { answers, finished } = drive(
    t,
    [
      { name: 'open', base, path: '/open' },
      { name: 'closed', base, path: '/closed' },
    ],
    4,
    () => stop,
  )
  const limited = (target: string, after: number) => answers.some((a) => a.target === target && a.sentAt >= after && a.code === 'RXGATE_ERR_RATE_LIMITED')
  // up: both limits spent
  const deadline = now() + 5000
  while (!(limited('open', 0) && limited('closed', 0)) && now() < deadline) await sleep(20)
  await sleep(300)
  const stopping = now()
  await redis.stop()
  const stopped = now()
  await sleep(1500)
  const starting = now()
  await redis.start()
  const started = now()
  // back: the new Redis starts every bucket full; counting again shows as the limit refusing again
  const back = now() + 8000
  while (!(limited('open', started) && limited('closed', started)) && now() < back) await sleep(20)
  const recovered = now() - started
  stop = true
  await finished

  t.same(answers.filter((answer) => answer.failure !== undefined), [], `all ${answers.length} requests were answered, none reset or left hanging`)
  const slowest = Math.max(...answers.map((answer) => answer.answeredAt - answer.sentAt))
  t.ok(slowest < 3000, `the slowest answer took ${Math.round(slowest)} ms`)
  const of = (target: string, from: number, to: number) => answers.filter((a) => a.target === target && a.sentAt >= from && a.answeredAt <= to)

  for (const target of ['open', 'closed']) {
    const before = of(target, 0, stopping)
    t.equal(count(before, (a) => a.status === 200), 5, `${target}, Redis up: five let through`)
    t.equal(count(before, (a) => a.status === 503 && a.code === 'RXGATE_ERR_RATE_LIMITED'), before.length - 5, `${target}, Redis up: the rest refused by the limit`)
  }

  const openDown = of('open', stopped, starting)
  const closedDown = of('closed', stopped, starting)
  t.ok(openDown.length >= 10 && closedDown.length >= 10, `load went on while Redis was down (${openDown.length} and ${closedDown.length} requests)`)
  t.equal(count(openDown, (a) => a.status === 200), openDown.length, 'on_failure_allow: every request let through while Redis is down')
  t.equal(
    count(closedDown, (a) => a.status === 503 && a.code === 'RXGATE_ERR_RATE_LIMIT_UNAVAILABLE' && a.retryAfter === '1'),
    closedDown.length,
    'without it: every request refused with 503 RXGATE_ERR_RATE_LIMIT_UNAVAILABLE, Retry-After 1',
  )

  t.ok(limited('open', started) && limited('closed', started), `counting again ${Math.round(recovered)} ms after Redis was back, without a restart`)
  // a 200 on /closed is a token of a Redis: any sent after the first one died was taken from the new one
  t.equal(count(of('closed', stopped, Infinity), (a) => a.status === 200), 5, 'the new Redis let through exactly its capacity')

  t.equal(gateway.child.exitCode, null, 'the process never exited')
  t.equal(gateway.child.signalCode, null)
  t.equal((await rawRequest(base, '/open')).status, 503, 'and still answers, limited')
  // a line that is not the logger's JSON would be Node's own report of a crash; the last, unfinished one is left out
  const printed = gateway.output().split('\n').slice(0, -1)
  const lines = printed.flatMap((line) => {
    try {
      return [JSON.parse(line) as { pid: number; level: number; msg: string }]
    } catch {
      return []
    }
  })
  t.equal(lines.length, printed.length, 'every line is a log line')
  t.same(new Set(lines.map((line) => line.pid)), new Set([pid]), 'every line, every request, from the one process')
  t.same(lines.filter((line) => line.level >= 60 || /escaped|uncaught|unhandled/i.test(line.msg)), [], 'no error escaped')
  t.equal(lines.filter((line) => line.msg === 'Redis is unreachable: reconnecting').length, 1, 'one line when Redis went')
  t.equal(lines.filter((line) => line.msg === 'Redis is reachable again').length, 1, 'one when it came back')
})

t.test('check: a pool no one declares, a rate of 0 or below, in the Redis namespaces, each with its JSON path', async (t) => {
  const backend = [{ host: ['http://orders'], url_pattern: '/' }]
  const bad = writeConfig({
    version: 3,
    extra_config: { ...pools('127.0.0.1:6379'), 'qos/ratelimit/redis': { connection_pool: 'shared', max_rate: -5 } },
    endpoints: [
      { endpoint: '/a', extra_config: { 'qos/ratelimit/router/redis': { connection_pool: 'sessions', max_rate: 10 } }, backend },
      { endpoint: '/b', extra_config: { 'qos/ratelimit/router/redis': { connection_pool: 'shared', max_rate: 0 } }, backend },
      { endpoint: '/c', extra_config: { 'qos/ratelimit/router/redis': { connection_pool: 'shared', client_max_rate: -1, strategy: 'ip' } }, backend },
      { endpoint: '/d', extra_config: { 'qos/ratelimit/router/redis': { max_rate: 10 } }, backend },
    ],
  })
  const { code, output } = await cli('check', '-c', bad)
  t.equal(code, 1)
  const at = (i: number) => `/endpoints/${i}/extra_config/qos~1ratelimit~1router~1redis`
  const rule = 'must be a number above 0 (KrakenD reads 0 as no limit: leave the key out for that)'
  t.same(output.trim().split('\n').slice(1), [
    `${at(0)}/connection_pool: names no Redis connection pool (the pools are "shared"): declare it in the service's extra_config "redis" "connection_pools"`,
    `${at(1)}/max_rate: ${rule} (got 0)`,
    `${at(2)}/client_max_rate: ${rule} (got -1)`,
    `${at(3)}/connection_pool: is required: the name of one of the service's redis connection_pools`,
    `/extra_config/qos~1ratelimit~1redis/max_rate: ${rule} (got -5)`,
  ])

  const undeclared = writeConfig({
    version: 3,
    endpoints: [{ endpoint: '/a', extra_config: { 'qos/ratelimit/router/redis': { connection_pool: 'shared', max_rate: 10 } }, backend }],
  })
  const none = await cli('check', '-c', undeclared)
  t.equal(none.code, 1, 'no redis namespace at all')
  t.match(none.output, `${at(0)}/connection_pool: names no Redis connection pool (none is declared)`)
})
