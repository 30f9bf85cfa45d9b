import { firstValueFrom, lastValueFrom } from 'rxjs'
import t from 'tap'
import { closeAll, httpCall } from '../../lib/backend/index.js'
import { failure, gatewayRequest, httpBackend, sendJson } from '../fixtures/backends.js'

t.teardown(closeAll)

t.test('200 and 201 succeed by default; 204 and 500 fail', async (t) => {
  const big = 'x'.repeat(70 * 1024)
  const backend = await httpBackend((req, res) => {
    if (req.url === '/created') return sendJson(res, { id: 1 }, 201)
    if (req.url === '/empty') return void res.writeHead(204).end()
    if (req.url === '/boom') {
      res.writeHead(500, { 'content-type': 'text/plain' })
      return void res.end(`internal error: ${big}`)
    }
    sendJson(res, { ok: true })
  })
  t.teardown(backend.close)
  const call = (path: string) => lastValueFrom(httpCall(`${backend.origin}${path}`)(gatewayRequest()))

  t.same(await call('/ok'), { ok: true })
  t.same(await call('/created'), { id: 1 })
  await t.rejects(call('/empty'), { code: 'RXGATE_ERR_BACKEND_STATUS', details: { status: 204, body: '' } })
  const error = await failure(call('/boom'))
  t.equal(error.code, 'RXGATE_ERR_BACKEND_STATUS')
  t.equal(error.details.status, 500)
  t.equal(error.details.url, `${backend.origin}/boom`)
  t.equal(error.details.contentType, 'text/plain')
  t.equal(error.details.body, `internal error: ${big}`.slice(0, 64 * 1024), 'the first 64 KiB of the body: enough to forward it')
  t.match(error.message, /successStatus/)
})

t.test('successStatus widens or narrows the policy', async (t) => {
  const backend = await httpBackend((req, res) => sendJson(res, { status: Number(req.url!.slice(1)) }, Number(req.url!.slice(1))))
  t.teardown(backend.close)
  const accepts = httpCall(`${backend.origin}/{status}`, { successStatus: [200, 404] })
  t.same(await firstValueFrom(accepts(gatewayRequest({ params: { status: '404' } }))), { status: 404 })
  await t.rejects(firstValueFrom(accepts(gatewayRequest({ params: { status: '201' } }))), { code: 'RXGATE_ERR_BACKEND_STATUS', details: { status: 201 } })
  t.throws(() => httpCall(`${backend.origin}/x`, { successStatus: [99] }), { code: 'RXGATE_ERR_BAD_BACKEND' })
})

t.test('a failed status keeps the connection when its body is short', async (t) => {
  const backend = await httpBackend((_req, res) => sendJson(res, { error: 'nope' }, 503))
  t.teardown(backend.close)
  const call = httpCall(`${backend.origin}/x`)
  await t.rejects(lastValueFrom(call(gatewayRequest())), { code: 'RXGATE_ERR_BACKEND_STATUS', details: { status: 503, body: '{"error":"nope"}' } })
  // undici hands a connection back to its pool a tick after the response ends
  await new Promise((resolve) => setTimeout(resolve, 20))
  await t.rejects(lastValueFrom(call(gatewayRequest())), { code: 'RXGATE_ERR_BACKEND_STATUS', details: { status: 503 } })
  t.equal(backend.seen[0]!.socketPort, backend.seen[1]!.socketPort, 'one socket for both')
})

t.test('a failed status carries what the HTTP layer needs to forward it: status, content type, body, the backend', async (t) => {
  // 65,535 ASCII bytes then a 2-byte character: the 64 KiB cut falls inside it.
  const split = 'a'.repeat(64 * 1024 - 1) + 'é' + 'tail'
  const backend = await httpBackend((req, res) => {
    if (req.url === '/split') return void res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' }).end(split)
    if (req.url === '/bare') return void res.writeHead(500).end('oops')
    sendJson(res, { error: 'no such user', id: 7 }, 404)
  })
  t.teardown(backend.close)
  const call = (path: string) => failure(lastValueFrom(httpCall(`${backend.origin}${path}`)(gatewayRequest())))

  const missing = await call('/user')
  t.same(missing.details, {
    status: 404,
    url: `${backend.origin}/user`,
    contentType: 'application/json',
    body: '{"error":"no such user","id":7}',
    method: 'GET',
    urlPattern: '/user',
  }, 'the backend named as KrakenD names it: method and url_pattern')
  const cut = await call('/split')
  t.equal(cut.details.body, 'a'.repeat(64 * 1024 - 1), 'a character split by the cut is left out, not mangled')
  const bare = await call('/bare')
  t.equal(bare.details.contentType, undefined, 'no content type sent, none carried')
  t.equal(bare.details.body, 'oops')
})
