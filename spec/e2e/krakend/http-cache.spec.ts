import type { IncomingMessage, ServerResponse } from 'node:http'
import t from 'tap'
import { startBackends } from '../../helpers/http-backend.js'
import { needsRedis, startRedis } from '../../helpers/redis-server.js'
import { cli, runGateway, writeConfig } from '../../helpers/run-cli.js'

/** A backend that answers `{ "n": <its call count>, "url": ... }` with the headers `headers` gives, spaced as no encoder would write it. */
function counting(headers: (req: IncomingMessage) => Record<string, string>) {
  let n = 0
  return (req: IncomingMessage, res: ServerResponse) => {
    n++
    const body = `{ "n": ${n},  "url": "${req.url}" }`
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers(req) }).end(body)
  }
}

/** One endpoint `/items/{id}` on one backend with this `qos/http-cache` block (and backend keys). */
function file(host: string, cache: object, backend: object = {}, endpoint: object = {}) {
  return {
    endpoints: [
      {
        endpoint: '/items/{id}',
        ...endpoint,
        backend: [{ host: [host], url_pattern: '/items/{id}', ...backend, extra_config: { 'qos/http-cache': cache } }],
      },
    ],
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// max-age=2, not 1: an answer's age counts from its Date, to the second, so a 1 s answer may arrive stale
t.test('Cache-Control max-age: the backend is called once while the answer is fresh, again once it is stale', async (t) => {
  const [api] = await startBackends(t, counting(() => ({ 'cache-control': 'max-age=2' })))
  const { base } = await runGateway(t, file(api!.url, {}))
  const first = await fetch(`${base}/items/1`)
  const firstBody = await first.text()
  t.equal(first.status, 200)
  t.equal(firstBody, '{ "n": 1,  "url": "/items/1" }', "the backend's bytes, as a single JSON backend sends them")
  const second = await fetch(`${base}/items/1`)
  t.equal(await second.text(), firstBody, 'the cached answer: the same bytes')
  t.equal(second.headers.get('x-rxgate-completed'), 'true')
  t.equal(api!.seen.length, 1, 'one backend call')
  t.equal(await (await fetch(`${base}/items/2`)).text(), '{ "n": 2,  "url": "/items/2" }', 'another URL, another call')
  await sleep(2100)
  t.equal(await (await fetch(`${base}/items/1`)).text(), '{ "n": 3,  "url": "/items/1" }', 'stale after two seconds: called again')
})

t.test('Cache-Control no-store: every request reaches the backend', async (t) => {
  const [api] = await startBackends(t, counting(() => ({ 'cache-control': 'no-store' })))
  const { base } = await runGateway(t, file(api!.url, { shared: true }))
  for (let i = 1; i <= 3; i++) t.match(await (await fetch(`${base}/items/1`)).json(), { n: i })
  t.equal(api!.seen.length, 3)
})

t.test('Vary: each value of the header the answer varies on is its own entry', async (t) => {
  const [api] = await startBackends(t, counting(() => ({ 'cache-control': 'max-age=60', vary: 'Accept-Language' })))
  const { base } = await runGateway(t, file(api!.url, {}, {}, { input_headers: ['Accept-Language'] }))
  const as = async (language: string) => ((await (await fetch(`${base}/items/1`, { headers: { 'accept-language': language } })).json()) as { n: number }).n
  t.equal(await as('en'), 1)
  t.equal(await as('fr'), 2)
  t.equal(await as('en'), 1, 'English, from the cache')
  t.equal(await as('fr'), 2, 'French, from the cache')
  t.equal(api!.seen.length, 2)
})

t.test('shaped data is cached once decoded and pruned; the endpoint still shapes each answer', async (t) => {
  const [api] = await startBackends(t, counting(() => ({ 'cache-control': 'max-age=60' })))
  const { base } = await runGateway(t, file(api!.url, {}, { allow: ['n'], group: 'item' }))
  t.same(await (await fetch(`${base}/items/1`)).json(), { item: { n: 1 } })
  t.same(await (await fetch(`${base}/items/1`)).json(), { item: { n: 1 } })
  t.equal(api!.seen.length, 1)
})

t.test('LRU eviction: max_items answers at most, the least recently used going first', async (t) => {
  const [api] = await startBackends(t, counting(() => ({ 'cache-control': 'max-age=60' })))
  const { base } = await runGateway(t, file(api!.url, { max_items: 2, max_size: 1_000_000 }))
  const get = (id: number) => fetch(`${base}/items/${id}`).then((res) => res.text())
  await get(1)
  await get(2)
  await get(1) // 2 is now the least recently used
  await get(3) // 2 goes
  t.equal(api!.seen.length, 3)
  await get(1)
  await get(3)
  t.equal(api!.seen.length, 3, '1 and 3 are kept')
  await get(2)
  t.equal(api!.seen.length, 4, '2 was evicted')
  t.same(api!.seen.map((seen) => seen.url), ['/items/1', '/items/2', '/items/3', '/items/2'])
})

t.test('LRU eviction: max_size bytes at most', async (t) => {
  const [api] = await startBackends(t, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=60' }).end(JSON.stringify({ url: req.url, pad: 'x'.repeat(600) }))
  })
  const { base } = await runGateway(t, file(api!.url, { max_items: 100, max_size: 1024 }))
  const get = (id: number) => fetch(`${base}/items/${id}`).then((res) => res.text())
  await get(1)
  await get(1)
  t.equal(api!.seen.length, 1, 'one answer fits')
  await get(2)
  await get(1)
  t.equal(api!.seen.length, 3, 'two do not: the first went when the second came')
})

t.test('check: a negative size, one limit without the other, a misspelled key, each with its JSON path', async (t) => {
  const config = writeConfig({
    version: 3,
    endpoints: [
      {
        endpoint: '/a',
        backend: [{ host: ['http://api:8080'], url_pattern: '/a', extra_config: { 'qos/http-cache': { max_items: 10, max_size: -1 } } }],
      },
      {
        endpoint: '/b',
        backend: [{ host: ['http://api:8080'], url_pattern: '/b', extra_config: { 'github_com/devopsfaith/krakend-httpcache': { max_items: 10 } } }],
      },
    ],
  })
  const { code, output } = await cli('check', '-c', config)
  t.equal(code, 1)
  t.match(output, '/endpoints/0/backend/0/extra_config/qos~1http-cache/max_size: must be >= 1024 (got -1)')
  t.match(output, '/endpoints/1/backend/0/extra_config/github_com~1devopsfaith~1krakend-httpcache/max_items: must come with max_size')
  const typo = writeConfig({
    version: 3,
    endpoints: [{ endpoint: '/a', backend: [{ host: ['http://api:8080'], url_pattern: '/a', extra_config: { 'qos/http-cache': { shraed: true } } }] }],
  })
  const lint = await cli('check', '--lint', '-c', typo)
  t.equal(lint.code, 1)
  t.match(lint.output, '/endpoints/0/backend/0/extra_config/qos~1http-cache/shraed: is not a key rxgate knows; did you mean "shared"?')
  const { code: fine } = await cli('check', '-c', writeConfig({ version: 3, ...file('http://api:8080', { shared: true, max_items: 100, max_size: 128000000 }) }))
  t.equal(fine, 0, "KrakenD's documented block is valid")
})

t.test('connection_pool: two gateway processes share one cache in Redis', needsRedis, async (t) => {
  const redis = await startRedis(t)
  const [api] = await startBackends(t, counting(() => ({ 'cache-control': 'max-age=60' })))
  const config = {
    extra_config: { redis: { connection_pools: [{ name: 'cache', address: redis.address }] } },
    ...file(api!.url, { connection_pool: 'cache' }),
  }
  const one = await runGateway(t, config)
  const two = await runGateway(t, config)
  const body = await (await fetch(`${one.base}/items/7`)).text()
  t.equal(body, '{ "n": 1,  "url": "/items/7" }')
  t.equal(api!.seen.length, 1)
  // the write to Redis is not awaited by the request: give it a moment
  await sleep(100)
  t.equal(await (await fetch(`${two.base}/items/7`)).text(), body, 'the second process answers from what the first cached, bytes and all')
  t.equal(api!.seen.length, 1, 'the backend was called once for both')
  t.equal(await (await fetch(`${two.base}/items/8`)).text(), '{ "n": 2,  "url": "/items/8" }')
  await sleep(100)
  await fetch(`${one.base}/items/8`)
  t.equal(api!.seen.length, 2, 'and the other way round')
})

t.test('connection_pool: while Redis is down, the cache is a miss and requests are still answered', needsRedis, async (t) => {
  const redis = await startRedis(t)
  const [api] = await startBackends(t, counting(() => ({ 'cache-control': 'max-age=60' })))
  const { base } = await runGateway(t, {
    extra_config: { redis: { connection_pools: [{ name: 'cache', address: redis.address }] } },
    ...file(api!.url, { connection_pool: 'cache', max_items: 1, max_size: 1024 }),
  })
  await redis.stop()
  t.match(await (await fetch(`${base}/items/1`)).json(), { n: 1 })
  t.match(await (await fetch(`${base}/items/2`)).json(), { n: 2 })
  t.match(await (await fetch(`${base}/items/1`)).json(), { n: 3 }, 'one item in memory, nothing in Redis: called again')
})
