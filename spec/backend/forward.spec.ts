import { firstValueFrom } from 'rxjs'
import t from 'tap'
import { closeAll, httpCall, USER_AGENT } from '../../lib/backend/index.js'
import { VERSION } from '../../lib/version.js'
import { gatewayRequest, httpBackend, sendJson } from '../fixtures/backends.js'

t.teardown(closeAll)

const clientHeaders = {
  host: 'shop.example.com',
  authorization: 'Bearer abc',
  'x-request-id': 'r-1',
  cookie: 'session=s3cret',
  'user-agent': 'Mozilla/5.0',
  connection: 'keep-alive, x-hop',
  'x-hop': 'must not pass',
  'keep-alive': 'timeout=5',
  te: 'trailers',
  upgrade: 'websocket',
  'transfer-encoding': 'chunked',
  'content-length': '99',
  'accept-encoding': 'zstd',
  'x-forwarded-for': '203.0.113.9',
  'x-forwarded-host': 'evil.example',
  'x-multi': ['a', 'b'],
}

t.test('only the allowed client headers arrive, plus the gateway headers', async (t) => {
  const backend = await httpBackend((_req, res) => sendJson(res, {}))
  t.teardown(backend.close)
  const call = httpCall(`${backend.origin}/x`, { headers: ['Authorization', 'X-Request-Id', 'Host', 'X-Multi', 'Missing'] })
  await firstValueFrom(call(gatewayRequest({ headers: clientHeaders, clientIp: '10.1.2.3' })))
  const seen = backend.seen[0]!.headers
  t.equal(seen.authorization, 'Bearer abc')
  t.equal(seen['x-request-id'], 'r-1')
  t.equal(seen['x-multi'], 'a, b', 'repeated headers are joined')
  t.equal(seen.cookie, undefined, 'not listed: not forwarded')
  t.equal(seen.missing, undefined)
  t.equal(seen.host, backend.origin.slice('http://'.length), 'Host is the backend, never the client one')
  t.equal(seen['user-agent'], `rxgate/${VERSION}`)
  t.equal(USER_AGENT, `rxgate/${VERSION}`)
  t.equal(VERSION, '0.1.0', 'read from package.json')
  t.equal(seen['x-forwarded-for'], '10.1.2.3', "the client's IP alone, as KrakenD: the client's own chain is not believed")
  t.equal(seen['x-forwarded-host'], 'shop.example.com')
  t.equal(seen['x-forwarded-via'], undefined)
  t.equal(seen['accept-encoding'], 'gzip, deflate, br', 'compression is negotiated by the gateway')
})

t.test("'*' forwards everything but hop-by-hop and gateway-owned headers", async (t) => {
  const backend = await httpBackend((_req, res) => sendJson(res, {}))
  t.teardown(backend.close)
  const call = httpCall(`${backend.origin}/x`, { headers: '*' })
  await firstValueFrom(call(gatewayRequest({ headers: clientHeaders, clientIp: '10.1.2.3' })))
  const seen = backend.seen[0]!.headers
  t.equal(seen.authorization, 'Bearer abc')
  t.equal(seen.cookie, 'session=s3cret')
  for (const name of ['x-hop', 'keep-alive', 'te', 'upgrade', 'transfer-encoding']) t.equal(seen[name], undefined, name)
  t.not(seen['content-length'], '99')
  t.equal(seen.connection, 'keep-alive', "undici's own")
  t.equal(seen['user-agent'], 'Mozilla/5.0', 'the client agent, when allowed')
  t.equal(seen['x-forwarded-via'], `rxgate/${VERSION}`)
  t.equal(seen['x-forwarded-host'], 'shop.example.com', 'computed, never the client value')
  t.equal(seen['x-forwarded-for'], '10.1.2.3', 'computed, never the client value')
  t.equal(seen['accept-encoding'], 'gzip, deflate, br')
})

t.test('X-Forwarded-For is the client IP, IPv6 too', async (t) => {
  const backend = await httpBackend((_req, res) => sendJson(res, {}))
  t.teardown(backend.close)
  await firstValueFrom(httpCall(`${backend.origin}/x`)(gatewayRequest({ clientIp: '::1' })))
  t.equal(backend.seen[0]!.headers['x-forwarded-for'], '::1')
  t.equal(backend.seen[0]!.headers['x-forwarded-host'], 'gateway.example')
  t.equal(backend.seen[0]!.headers.authorization, undefined, 'no list: nothing forwarded')
})

t.test('only the allowed query keys arrive; template keys win', async (t) => {
  const backend = await httpBackend((_req, res) => sendJson(res, {}))
  t.teardown(backend.close)
  const query = new URLSearchParams('page=2&items=10&evil=here&items=20&sort=mine&q=a b')
  const listed = httpCall(`${backend.origin}/catalog?sort=price`, { query: ['page', 'items', 'sort', 'q', 'absent'] })
  await firstValueFrom(listed(gatewayRequest({ query })))
  t.equal(backend.seen.at(-1)!.url, '/catalog?sort=price&page=2&items=10&items=20&q=a%20b')
  const all = httpCall(`${backend.origin}/catalog`, { query: '*' })
  await firstValueFrom(all(gatewayRequest({ query })))
  t.equal(backend.seen.at(-1)!.url, '/catalog?page=2&items=10&evil=here&items=20&sort=mine&q=a%20b')
  const none = httpCall(`${backend.origin}/catalog`)
  await firstValueFrom(none(gatewayRequest({ query })))
  t.equal(backend.seen.at(-1)!.url, '/catalog', 'default: nothing forwarded')
})

t.test('the client body is forwarded for methods that have one, with its content type', async (t) => {
  const backend = await httpBackend((_req, res, seen) => sendJson(res, { got: seen.body.toString() }, 201))
  t.teardown(backend.close)
  const body = Buffer.from('{"name":"Ann"}')
  const headers = { host: 'gw', 'content-type': 'application/json' }
  const post = httpCall<{ got: string }>(`${backend.origin}/users`, { method: 'post' })
  t.same(await firstValueFrom(post(gatewayRequest({ method: 'POST', body, headers }))), { got: '{"name":"Ann"}' })
  const seen = backend.seen.at(-1)!
  t.equal(seen.method, 'POST')
  t.equal(seen.headers['content-type'], 'application/json')
  t.equal(seen.headers['content-length'], String(body.length))
  const get = httpCall(`${backend.origin}/users`)
  await firstValueFrom(get(gatewayRequest({ method: 'POST', body, headers })))
  t.equal(backend.seen.at(-1)!.method, 'GET', "the backend's method, not the client's")
  t.equal(backend.seen.at(-1)!.body.length, 0)
  t.equal(backend.seen.at(-1)!.headers['content-type'], undefined)
})
