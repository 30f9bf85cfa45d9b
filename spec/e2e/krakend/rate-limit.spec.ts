import t from 'tap'
import { json, startBackends } from '../../helpers/http-backend.js'
import { rawRequest } from '../../helpers/raw-request.js'
import { cli, runGateway, writeConfig } from '../../helpers/run-cli.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const error = (answer: { body: string }) => (JSON.parse(answer.body) as { error: { code: string; message: string } }).error

async function statuses(base: string, path: string, count: number, headers: Record<string, string> = {}): Promise<number[]> {
  const seen: number[] = []
  for (let i = 0; i < count; i++) seen.push((await rawRequest(base, path, { headers })).status)
  return seen
}

t.test('qos/ratelimit/router max_rate, capacity, every: 503 with Retry-After past the limit, no backend called', async (t) => {
  const [api] = await startBackends(t, json({ ok: true }))
  const { base, gateway } = await runGateway(t, {
    endpoints: [
      { endpoint: '/limited', extra_config: { 'qos/ratelimit/router': { max_rate: 3, capacity: 3, every: '1m' } }, backend: [{ host: [api!.url], url_pattern: '/' }] },
      { endpoint: '/default-capacity', extra_config: { 'qos/ratelimit/router': { max_rate: 2 } }, backend: [{ host: [api!.url], url_pattern: '/' }] },
      { endpoint: '/open', backend: [{ host: [api!.url], url_pattern: '/' }] },
    ],
  })
  t.same(await statuses(base, '/limited', 4), [200, 200, 200, 503])
  const refused = await rawRequest(base, '/limited')
  t.equal(refused.headers['retry-after'], '20', '3 per minute: a token every 20 s')
  t.same(error(refused), { code: 'RXGATE_ERR_RATE_LIMITED', message: 'the endpoint is over its rate limit: retry after 20s' })
  t.equal(refused.headers['x-rxgate-completed'], 'false')
  t.same(await statuses(base, '/default-capacity', 3), [200, 200, 503], 'capacity defaults to max_rate per second')
  t.same(await statuses(base, '/open', 5), [200, 200, 200, 200, 200], 'other endpoints are not limited')
  t.equal(api!.seen.length, 3 + 2 + 5, 'the refused requests never reached the backend')
  const lines = gateway.output().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { level: number; msg: string; status?: number })
  t.same(lines.filter((line) => line.level >= 40), [], 'a refusal is no failure: nothing logged as a warning or an error')
  t.equal(lines.filter((line) => line.msg === 'request' && line.status === 503).length, 3, 'each refusal has its access log line')
})

t.test('a fractional rate refills continuously: 2 per second is a token every 500 ms', async (t) => {
  const [api] = await startBackends(t, json({ ok: true }))
  const { base } = await runGateway(t, {
    endpoints: [{ endpoint: '/slow', extra_config: { 'qos/ratelimit/router': { max_rate: 0.5, every: '250ms', capacity: 1 } }, backend: [{ host: [api!.url], url_pattern: '/' }] }],
  })
  t.same(await statuses(base, '/slow', 2), [200, 503], "0.5 per 250ms, read as 0.5 per second as KrakenD's router reads a window under 1s")
  await sleep(1000)
  t.same(await statuses(base, '/slow', 2), [503, 503], 'a second later: still no token (one every 2 s)')
  await sleep(1100)
  t.same(await statuses(base, '/slow', 2), [200, 503], 'two seconds: one token')
})

t.test('client_max_rate and client_capacity, by header, by param, by ip (the router\'s client IP)', async (t) => {
  const [api] = await startBackends(t, json({ ok: true }))
  const backend = [{ host: [api!.url], url_pattern: '/' }]
  const { base } = await runGateway(t, {
    extra_config: { router: { forwarded_by_client_ip: true, trusted_proxies: ['127.0.0.1'] } },
    endpoints: [
      {
        endpoint: '/by-header',
        extra_config: { 'qos/ratelimit/router': { client_max_rate: 2, client_capacity: 2, every: '1h', strategy: 'header', key: 'X-Api-Key' } },
        backend,
      },
      {
        endpoint: '/api/{customer_id}/invoices',
        extra_config: { 'qos/ratelimit/router': { client_max_rate: 1, every: '1m', strategy: 'param', key: 'customer_id' } },
        backend,
      },
      {
        endpoint: '/by-ip',
        extra_config: {
          'qos/ratelimit/router': { client_max_rate: 1, every: '1m', strategy: 'ip', num_shards: 2048, cleanup_period: '30s', cleanup_threads: 1 },
        },
        backend,
      },
    ],
  })
  const key = (value: string) => ({ 'x-api-key': value })
  t.same(await statuses(base, '/by-header', 3, key('a')), [200, 200, 429])
  t.same(await statuses(base, '/by-header', 2, key('b')), [200, 200], 'another key has its own bucket')
  const refused = await rawRequest(base, '/by-header', { headers: key('a') })
  t.same(error(refused).code, 'RXGATE_ERR_TOO_MANY_REQUESTS')
  t.equal(refused.headers['retry-after'], '1800', '2 per hour: a token every 30 minutes')
  const anonymous = await rawRequest(base, '/by-header')
  t.equal(anonymous.status, 429, 'no key: no client to count, refused as KrakenD refuses it')
  t.equal(error(anonymous).message, 'the request has no X-Api-Key header to count its rate limit by')

  t.same(await statuses(base, '/api/1234/invoices', 2), [200, 429])
  t.same(await statuses(base, '/api/5678/invoices', 1), [200], 'each customer_id is a client')

  const from = (ip: string) => ({ 'x-forwarded-for': ip })
  t.same(await statuses(base, '/by-ip', 2, from('203.0.113.9')), [200, 429])
  t.same(await statuses(base, '/by-ip', 1, from('198.51.100.4')), [200], 'another client behind the trusted proxy')
})

t.test('max_rate with client_max_rate: a client over its own limit takes nothing from the others', async (t) => {
  const [api] = await startBackends(t, json({ ok: true }))
  const { base } = await runGateway(t, {
    endpoints: [
      {
        endpoint: '/both',
        extra_config: { 'qos/ratelimit/router': { max_rate: 3, capacity: 3, client_max_rate: 1, client_capacity: 1, every: '1m', strategy: 'header', key: 'X-User' } },
        backend: [{ host: [api!.url], url_pattern: '/' }],
      },
    ],
  })
  const as = (user: string) => ({ 'x-user': user })
  t.same(await statuses(base, '/both', 4, as('mallory')), [200, 429, 429, 429])
  t.same([...(await statuses(base, '/both', 1, as('ada'))), ...(await statuses(base, '/both', 1, as('grace')))], [200, 200])
  t.same(await statuses(base, '/both', 1, as('linus')), [503], 'three passed in all: the endpoint is out of tokens')
})

t.test('qos/ratelimit/proxy: a backend past its limit is a failed part, not a call', async (t) => {
  const [limited, free] = await startBackends(t, json({ prices: [1, 2] }), json({ user: 'ada' }))
  const { base } = await runGateway(t, {
    endpoints: [
      {
        endpoint: '/page',
        backend: [
          { host: [limited!.url], url_pattern: '/prices', extra_config: { 'qos/ratelimit/proxy': { max_rate: 2, capacity: 2, every: '1m' } } },
          { host: [free!.url], url_pattern: '/user' },
        ],
      },
      {
        endpoint: '/alone',
        backend: [{ host: [limited!.url], url_pattern: '/prices', extra_config: { 'github.com/devopsfaith/krakend-ratelimit/juju/proxy': { max_rate: 1, every: '1m' } } }],
      },
    ],
  })
  for (let i = 0; i < 2; i++) t.equal((await rawRequest(base, '/page')).headers['x-rxgate-completed'], 'true')
  const partial = await rawRequest(base, '/page')
  t.equal(partial.status, 200)
  t.equal(partial.headers['x-rxgate-completed'], 'false', 'the answer says it is partial')
  t.same(JSON.parse(partial.body), { user: 'ada' })
  t.equal(limited!.seen.length, 2, 'the third call was never made')
  t.equal(free!.seen.length, 3)

  t.equal((await rawRequest(base, '/alone')).status, 200, "under KrakenD's legacy name too")
  const failed = await rawRequest(base, '/alone')
  t.equal(failed.status, 500, 'alone, the endpoint fails, as KrakenD answers it')
  t.equal(error(failed).code, 'RXGATE_ERR_BACKEND_RATE_LIMITED')
  t.equal(limited!.seen.length, 3, 'each backend entry has its own bucket')
})

t.test('qos/ratelimit/service: every endpoint together, and each client, before routing', async (t) => {
  const [api] = await startBackends(t, json({ ok: true }))
  const backend = [{ host: [api!.url], url_pattern: '/' }]
  const { base } = await runGateway(t, {
    extra_config: {
      'qos/ratelimit/service': { max_rate: 5, capacity: 5, client_max_rate: 2, client_capacity: 2, every: '1h', strategy: 'header', key: 'X-Api-Key' },
    },
    endpoints: [
      { endpoint: '/a', backend },
      { endpoint: '/b', backend },
    ],
  })
  const key = (value: string) => ({ 'x-api-key': value })
  t.same(await statuses(base, '/a', 1, key('k1')), [200])
  t.same(await statuses(base, '/b', 1, key('k1')), [200])
  const third = await rawRequest(base, '/nowhere', { headers: key('k1') })
  t.equal(third.status, 429, 'the client is counted across endpoints, unknown paths included')
  t.equal(third.headers['retry-after'], '1800')
  t.same(await statuses(base, '/a', 2, key('k2')), [200, 200])
  t.same(await statuses(base, '/b', 1, key('k3')), [200])
  const over = await rawRequest(base, '/a', { headers: key('k4') })
  t.equal(over.status, 503, 'five passed in all: the gateway is over its limit')
  t.same(error(over), { code: 'RXGATE_ERR_RATE_LIMITED', message: 'the gateway is over its rate limit: retry after 720s' })
})

t.test('qos/ratelimit/service by ip: the client IP the router resolves', async (t) => {
  const { base } = await runGateway(t, {
    extra_config: {
      router: { forwarded_by_client_ip: true, trusted_proxies: ['127.0.0.0/8'] },
      'qos/ratelimit/service': { client_max_rate: 1, every: '1m', strategy: 'ip' },
    },
    endpoints: [],
  })
  const from = (ip: string) => ({ 'x-forwarded-for': ip })
  t.same(await statuses(base, '/anything', 2, from('203.0.113.9')), [404, 429])
  t.same(await statuses(base, '/anything', 1, from('198.51.100.4')), [404])
})

t.test('check: each block that cannot work, with its JSON path; every key is known', async (t) => {
  const bad = writeConfig({
    version: 3,
    extra_config: { 'qos/ratelimit/service': { client_max_rate: 5, strategy: 'param', key: 'id' } },
    endpoints: [
      {
        endpoint: '/users/{id}',
        extra_config: { 'qos/ratelimit/router': { max_rate: 0, client_max_rate: -2, capacity: 0, strategy: 'param', key: 'user' } },
        backend: [{ host: ['http://users'], url_pattern: '/', extra_config: { 'qos/ratelimit/proxy': { max_rate: 'fast', every: '0' } } }],
      },
      { endpoint: '/nothing', extra_config: { 'qos/ratelimit/router': { client_max_rate: 5 } }, backend: [{ host: ['http://users'], url_pattern: '/' }] },
      { endpoint: '/empty', extra_config: { 'qos/ratelimit/router': { every: '1s' } }, backend: [{ host: ['http://users'], url_pattern: '/' }] },
    ],
  })
  const { code, output } = await cli('check', '-c', bad)
  t.equal(code, 1)
  const lines = output.trim().split('\n').slice(1)
  const rate = '/extra_config/qos~1ratelimit~1router'
  t.same(lines, [
    '/endpoints/0/backend/0/extra_config/qos~1ratelimit~1proxy/every: must be a duration above 0',
    '/endpoints/0/backend/0/extra_config/qos~1ratelimit~1proxy/max_rate: must be a number above 0 (KrakenD reads 0 as no limit: leave the key out for that) (got "fast")',
    `/endpoints/0${rate}/capacity: must be a whole number of at least 1 (got 0)`,
    `/endpoints/0${rate}/client_max_rate: must be a number above 0 (KrakenD reads 0 as no limit: leave the key out for that) (got -2)`,
    `/endpoints/0${rate}/key: names no route parameter (the endpoint's are "id"): every request would be refused with 429`,
    `/endpoints/0${rate}/max_rate: must be a number above 0 (KrakenD reads 0 as no limit: leave the key out for that) (got 0)`,
    `/endpoints/1${rate}/strategy: is required with client_max_rate: "ip", "header" or "param" (without one, KrakenD limits no client)`,
    `/endpoints/2${rate}: sets no limit: give max_rate (all clients together), client_max_rate (each client), or both`,
    '/extra_config/qos~1ratelimit~1service/strategy: cannot be "param" at the service: its limit runs before routing, where no route parameter is known; use "ip" or "header"',
  ])

  const typo = writeConfig({
    version: 3,
    endpoints: [
      {
        endpoint: '/a',
        extra_config: { 'qos/ratelimit/router': { max_rate: 10, every: '500ms', client_max_rat: 2 } },
        backend: [{ host: ['http://users'], url_pattern: '/' }],
      },
    ],
  })
  const checked = await cli('check', '-c', typo)
  t.equal(checked.code, 0)
  t.match(checked.output, /warning: \/endpoints\/0\/extra_config\/qos~1ratelimit~1router\/client_max_rat: is not a key rxgate knows; did you mean "client_max_rate"\?/)
  t.match(checked.output, /warning: \/endpoints\/0\/extra_config\/qos~1ratelimit~1router\/every: is under 1s, which KrakenD's router reads as 1s/)
})
