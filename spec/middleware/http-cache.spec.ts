import type { IncomingMessage, ServerResponse } from 'node:http'
import { firstValueFrom, of } from 'rxjs'
import t, { type Test } from 'tap'
import { backend, type BackendOptions } from '../../lib/backend/index.js'
import { sourceOf } from '../../lib/codec/json-source.js'
import { ErrorCodes } from '../../lib/errors.js'
import { httpCache, httpCacheProblems, type HttpCacheOptions } from '../../lib/middleware/http-cache.js'
import type { BackendSource } from '../../lib/middleware/types.js'
import type { GatewayRequest } from '../../lib/request.js'
import { callSource } from '../../operators/index.js'
import { failure, gatewayRequest, httpBackend, type TestBackend } from '../fixtures/backends.js'

/** A backend that answers `{ n, url }` (n counts its calls) with the headers `headers(req)` gives. */
async function counting(t: Test, headers: (req: IncomingMessage, n: number) => Record<string, string> = () => ({}), status = 200): Promise<TestBackend> {
  let n = 0
  const server = await httpBackend((req: IncomingMessage, res: ServerResponse) => {
    n++
    const body = JSON.stringify({ n, url: req.url })
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers(req, n) }).end(body)
  })
  t.teardown(server.close)
  return server
}

function cached(api: TestBackend, options: HttpCacheOptions = {}, path = '/items/{id}', backendOptions: BackendOptions = {}): BackendSource {
  return httpCache(options)(backend(api.origin + path, backendOptions))
}

const get = (source: BackendSource, request: Partial<GatewayRequest> = {}) =>
  firstValueFrom(callSource(source, gatewayRequest({ params: { id: '1' }, ...request }))) as Promise<{ n: number; url: string }>
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// max-age=2, not 1: an answer's age counts from its Date, to the second, so a 1 s answer may arrive stale
t.test('max-age: answered from the cache while fresh, the very value, its bytes still there; called again once stale', async (t) => {
  const api = await counting(t, () => ({ 'cache-control': 'max-age=2' }))
  const users = cached(api, {}, '/items/{id}', { verbatim: true })
  const first = await get(users)
  const second = await get(users)
  t.same(first, { n: 1, url: '/items/1' })
  t.equal(second, first, 'the value kept, not a copy: no decoding')
  t.equal(sourceOf(second)?.toString(), '{"n":1,"url":"/items/1"}', 'a verbatim endpoint still sends the bytes it came as')
  t.equal(api.seen.length, 1, 'one backend call')
  t.same(await get(users, { params: { id: '2' } }), { n: 2, url: '/items/2' }, 'another URL is another entry')
  await sleep(2100)
  t.same(await get(users), { n: 3, url: '/items/1' }, 'stale after two seconds: called again')
})

t.test('nothing kept: no-store, private, no freshness, max-age=0, an error status', async (t) => {
  for (const cacheControl of ['no-store, max-age=60', 'private, max-age=60', 'max-age=0', '']) {
    const api = await counting(t, () => (cacheControl ? { 'cache-control': cacheControl } : {}))
    const source = cached(api)
    await get(source)
    await get(source)
    t.equal(api.seen.length, 2, `Cache-Control: ${cacheControl || '(none)'}`)
  }
  const failing = await counting(t, () => ({ 'cache-control': 'max-age=60' }), 404)
  const source = cached(failing)
  t.equal((await failure(get(source))).code, ErrorCodes.BACKEND_STATUS)
  t.equal((await failure(get(source))).code, ErrorCodes.BACKEND_STATUS)
  t.equal(failing.seen.length, 2, 'a failure status is never kept')
})

t.test('Expires without max-age', async (t) => {
  const api = await counting(t, () => ({ expires: new Date(Date.now() + 60_000).toUTCString() }))
  const source = cached(api)
  await get(source)
  await get(source)
  t.equal(api.seen.length, 1)
  const expired = await counting(t, () => ({ expires: '0' }))
  const never = cached(expired)
  await get(never)
  await get(never)
  t.equal(expired.seen.length, 2, 'Expires: 0 is already expired')
})

t.test('Vary: the request headers the answer varies on are part of the key', async (t) => {
  const api = await counting(t, () => ({ 'cache-control': 'max-age=60', vary: 'Accept-Language' }))
  const source = cached(api, {}, '/items/{id}', { headers: ['Accept-Language'] })
  const as = (language?: string) => get(source, { headers: language === undefined ? {} : { 'accept-language': language } })
  t.equal((await as('en')).n, 1)
  t.equal((await as('fr')).n, 2, 'another language: another variant')
  t.equal((await as('en')).n, 1, 'each variant kept')
  t.equal((await as('fr')).n, 2)
  t.equal((await as()).n, 3, 'no header is a value of its own')
  t.equal((await as()).n, 3)
  t.equal(api.seen.length, 3)
})

t.test('Vary: * is never kept', async (t) => {
  const api = await counting(t, () => ({ 'cache-control': 'max-age=60', vary: '*' }))
  const source = cached(api)
  await get(source)
  await get(source)
  t.equal(api.seen.length, 2)
})

t.test('a stale answer with an ETag is validated: a 304 keeps its value and spares the body', async (t) => {
  const api = await httpBackend((req, res) => {
    if (req.headers['if-none-match'] === '"v1"') return res.writeHead(304, { etag: '"v1"', 'cache-control': 'no-cache' }).end()
    res.writeHead(200, { 'content-type': 'application/json', etag: '"v1"', 'cache-control': 'no-cache' }).end('{"version":1}')
  })
  t.teardown(api.close)
  const source = cached(api, {}, '/doc')
  const first = await get(source)
  const second = await get(source)
  t.equal(second, first, 'the kept value, after a 304')
  t.equal(api.seen.length, 2, 'no-cache: validated each time')
  t.equal(api.seen[1]!.headers['if-none-match'], '"v1"', 'a conditional request')
})

t.test('Last-Modified validates too; a 200 to the conditional request replaces the value', async (t) => {
  let version = 1
  const modified = new Date(Date.now() - 60_000).toUTCString()
  const api = await httpBackend((req, res) => {
    if (version === 1 && req.headers['if-modified-since'] === modified) return res.writeHead(304).end()
    res.writeHead(200, { 'content-type': 'application/json', 'last-modified': modified, 'cache-control': 'max-age=0' }).end(`{"version":${version}}`)
  })
  t.teardown(api.close)
  const source = cached(api, {}, '/doc')
  t.same(await get(source), { version: 1 })
  t.same(await get(source), { version: 1 }, 'validated')
  version = 2
  t.same(await get(source), { version: 2 }, 'changed: the new answer')
  t.equal(api.seen.length, 3)
})

t.test('stale-if-error: a stale answer stands in for a failing backend within its window', async (t) => {
  let failing = false
  const api = await httpBackend((_req, res) => {
    if (failing) return res.writeHead(503).end('down')
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=1, stale-if-error=60' }).end('{"ok":true}')
  })
  t.teardown(api.close)
  const source = cached(api, {}, '/doc')
  t.same(await get(source), { ok: true })
  failing = true
  await sleep(1100)
  t.same(await get(source), { ok: true }, 'a 503: the stale answer')
  t.equal(api.seen.length, 2, 'the backend was asked')
  await api.close()
  t.same(await get(source), { ok: true }, 'a refused connection: the stale answer')
})

t.test('without stale-if-error, a failing backend fails the call', async (t) => {
  let failing = false
  const api = await httpBackend((_req, res) => {
    if (failing) return res.writeHead(503).end('down')
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=1' }).end('{"ok":true}')
  })
  t.teardown(api.close)
  const source = cached(api, {}, '/doc')
  await get(source)
  failing = true
  await sleep(1100)
  t.equal((await failure(get(source))).code, ErrorCodes.BACKEND_STATUS)
})

t.test("the request's Cache-Control, when forwarded: no-cache, max-age, only-if-cached", async (t) => {
  const api = await counting(t, () => ({ 'cache-control': 'max-age=60' }))
  const source = cached(api, {}, '/items/{id}', { headers: ['Cache-Control'] })
  const as = (cacheControl: string) => get(source, { headers: { 'cache-control': cacheControl } })
  t.equal((await failure(as('only-if-cached'))).details.status, 504, 'only-if-cached with nothing kept: a 504')
  t.equal(api.seen.length, 0, 'the backend was not called')
  t.equal((await get(source)).n, 1)
  t.equal((await as('only-if-cached')).n, 1, 'only-if-cached with a fresh answer')
  t.equal((await as('no-cache')).n, 2, 'no-cache: called again')
  t.equal((await as('max-age=0')).n, 3, 'max-age=0: called again')
  t.equal((await get(source)).n, 3, 'the newest answer is kept')
})

t.test('a request with Authorization is answered from the cache only when the answer says it may be', async (t) => {
  const privateApi = await counting(t, () => ({ 'cache-control': 'max-age=60' }))
  const withToken = { headers: { authorization: 'Bearer a' } }
  const source = cached(privateApi, {}, '/items/{id}', { headers: ['Authorization'] })
  await get(source, withToken)
  await get(source, withToken)
  t.equal(privateApi.seen.length, 2, 'max-age alone: not kept')
  const publicApi = await counting(t, () => ({ 'cache-control': 'public, max-age=60' }))
  const shared = cached(publicApi, {}, '/items/{id}', { headers: ['Authorization'] })
  await get(shared, withToken)
  await get(shared, withToken)
  t.equal(publicApi.seen.length, 1, 'public: kept')
})

t.test('buckets: one per backend, or one for all that say shared; different decodings never mix', async (t) => {
  const api = await counting(t, () => ({ 'cache-control': 'max-age=60' }))
  const [a, b] = [cached(api), cached(api)]
  await get(a)
  await get(b)
  t.equal(api.seen.length, 2, 'two backends, two buckets')
  const [c, d] = [cached(api, { shared: true }), cached(api, { shared: true })]
  await get(c)
  t.equal((await get(d)).n, 3, "a shared bucket: one's answer serves the other")
  const pruned = cached(api, { shared: true }, '/items/{id}', { allow: ['url'] })
  t.same(await get(pruned), { url: '/items/1' }, 'an allow list: not the other backend\'s whole document')
  t.same(await get(pruned), { url: '/items/1' })
  t.equal(api.seen.length, 4)
})

t.test('a POST, PUT, PATCH or DELETE that succeeds removes what was kept for its URL', async (t) => {
  const api = await counting(t, () => ({ 'cache-control': 'max-age=60' }))
  const read = cached(api, { shared: true }, '/orders/{id}')
  const write = cached(api, { shared: true }, '/orders/{id}', { method: 'PUT' })
  t.equal((await get(read)).n, 1)
  t.equal((await get(read)).n, 1)
  await get(write)
  t.equal((await get(read)).n, 3, 'fetched again after the PUT')
  t.equal(api.seen[1]!.method, 'PUT')
})

t.test('capped buckets: the least recently used answers go, by count and by bytes', async (t) => {
  const api = await counting(t, () => ({ 'cache-control': 'max-age=60' }))
  const byCount = cached(api, { max_items: 2, max_size: 1_000_000 })
  const id = (n: number) => ({ params: { id: String(n) } })
  await get(byCount, id(1))
  await get(byCount, id(2))
  await get(byCount, id(1)) // 1 is now the most recently used
  await get(byCount, id(3)) // 2 goes
  t.equal(api.seen.length, 3)
  await get(byCount, id(1))
  await get(byCount, id(3))
  t.equal(api.seen.length, 3, '1 and 3 kept')
  await get(byCount, id(2))
  t.equal(api.seen.length, 4, '2 was evicted')

  const big = await httpBackend((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=60' }).end(JSON.stringify({ url: req.url, pad: 'x'.repeat(600) }))
  })
  t.teardown(big.close)
  const bySize = cached(big, { max_items: 100, max_size: 1024 })
  await get(bySize, id(1))
  await get(bySize, id(1))
  t.equal(big.seen.length, 1, 'one fits')
  await get(bySize, id(2))
  await get(bySize, id(1))
  t.equal(big.seen.length, 3, 'two do not: the older went')
  const huge = await httpBackend((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=60' }).end(JSON.stringify({ pad: 'x'.repeat(2000) }))
  })
  t.teardown(huge.close)
  const tooBig = cached(huge, { max_items: 100, max_size: 1024 })
  await get(tooBig)
  await get(tooBig)
  t.equal(huge.seen.length, 2, 'an answer larger than the bucket is not kept')
})

t.test('a redirected answer is not kept under the URL that redirected', async (t) => {
  const api = await httpBackend((req, res) => {
    if (req.url === '/old') return res.writeHead(302, { location: '/new' }).end()
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=60' }).end('{"ok":true}')
  })
  t.teardown(api.close)
  const source = cached(api, {}, '/old')
  await get(source)
  await get(source)
  t.equal(api.seen.length, 4)
})

t.test('a source that is not an HTTP call passes through, nothing kept', async (t) => {
  let calls = 0
  const custom: BackendSource = (request$) => {
    calls++
    return request$.pipe(() => of({ computed: true }))
  }
  const source = httpCache({})(custom)
  t.same(await firstValueFrom(callSource(source, gatewayRequest())), { computed: true })
  await firstValueFrom(callSource(source, gatewayRequest()))
  t.equal(calls, 2)
})

t.test('bad options fail when the middleware is made, naming the key', async (t) => {
  t.throws(() => httpCache({ max_items: 10 }, { at: 'backend /x' }), { code: ErrorCodes.BAD_ARGUMENT, message: /backend \/x: max_items must come with max_size/ })
  t.throws(() => httpCache({ max_items: -1, max_size: 2048 }), { message: /max_items must be a whole number, 1 or more \(got -1\)/ })
  t.throws(() => httpCache({ max_items: 1, max_size: 10 }), { message: /max_size must be a whole number of bytes, 1024 or more/ })
  t.throws(() => httpCache({ connection_pool: 'shared' }), { message: /connection_pool "shared" needs the service's Redis pools/ })
  t.same(httpCacheProblems({ max_size: 2048 }), [{ path: '/max_size', message: 'must come with max_items: a bucket is capped by both, or by neither' }])
  t.same(httpCacheProblems({ shared: true, max_items: 1, max_size: 1024 }), [])
})
