import { lastValueFrom } from 'rxjs'
import t from 'tap'
import { closeAll, httpCall } from '../../lib/backend/index.js'
import { gatewayRequest, httpBackend, sendJson } from '../fixtures/backends.js'

t.teardown(closeAll)

/** undici hands a connection back to its pool a tick after the response ends. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20))

t.test('calls to one origin reuse one keep-alive connection, across backends', async (t) => {
  let connections = 0
  const server = await httpBackend((req, res) => sendJson(res, { at: req.url }))
  server.server.on('connection', () => connections++)
  t.teardown(server.close)
  const users = httpCall(`${server.origin}/users`)
  const carts = httpCall(`${server.origin}/carts`)
  await lastValueFrom(users(gatewayRequest()))
  await settle()
  await lastValueFrom(users(gatewayRequest()))
  await settle()
  await lastValueFrom(carts(gatewayRequest()))
  t.equal(connections, 1, 'one socket on the server')
  t.equal(new Set(server.seen.map((seen) => seen.socketPort)).size, 1)
  t.equal(server.seen[0]!.headers.connection, 'keep-alive')
})

t.test('closeAll closes idle connections, and later calls open new ones', async (t) => {
  let closed = 0
  const server = await httpBackend((_req, res) => sendJson(res, {}))
  server.server.on('connection', (socket) => socket.on('close', () => closed++))
  t.teardown(server.close)
  const call = httpCall(`${server.origin}/x`)
  await lastValueFrom(call(gatewayRequest()))
  await settle()
  await closeAll()
  await settle()
  t.equal(closed, 1, 'the server saw the connection close')
  t.same(await lastValueFrom(call(gatewayRequest())), {}, 'the backend still works after closeAll')
  t.equal(new Set(server.seen.map((seen) => seen.socketPort)).size, 2)
})

t.test('closeAll lets an in-flight request finish', async (t) => {
  const server = await httpBackend((_req, res) => setTimeout(() => sendJson(res, { late: true }), 100))
  t.teardown(server.close)
  const pending = lastValueFrom(httpCall(`${server.origin}/slow`)(gatewayRequest()))
  await settle()
  await closeAll()
  t.same(await pending, { late: true })
})
