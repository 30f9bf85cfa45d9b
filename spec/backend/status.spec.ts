import { firstValueFrom, lastValueFrom } from 'rxjs'
import t from 'tap'
import { closeAll, httpCall } from '../../lib/backend/index.js'
import { failure, gatewayRequest, httpBackend, sendJson } from '../fixtures/backends.js'

t.teardown(closeAll)

t.test('200 and 201 succeed by default; 204 and 500 fail', async (t) => {
  const big = 'x'.repeat(2000)
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
  t.equal(error.details.body, `internal error: ${big}`.slice(0, 512), 'the first 512 bytes of the body')
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
