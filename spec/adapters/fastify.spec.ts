import Fastify, { type FastifyInstance } from 'fastify'
import { delayWhen, map, pipe, timer } from 'rxjs'
import t, { type Test } from 'tap'
import { fastifyRxgate } from '../../lib/adapters/fastify.js'
import { gateway } from '../../lib/gateway.js'
import type { GatewayRequest } from '../../lib/request.js'
import { recordingLogger } from '../helpers/serve-gateway.js'
import { sampleGateway } from './sample-gateway.js'

/** A fastify app with its own routes and not-found answer, as a user writes one. */
function appWithOwnRoutes(): FastifyInstance {
  const app = Fastify()
  app.get('/status', async () => ({ app: 'ok' }))
  app.post('/api/users/:id', async (request) => ({ app: 'updated', id: (request.params as { id: string }).id, body: request.body }))
  app.get('/throws', async () => {
    throw new Error('the app failed')
  })
  app.setNotFoundHandler(async (_request, reply) => reply.code(404).send({ app: 'not found' }))
  return app
}

async function listen(t: Test, app: FastifyInstance): Promise<string> {
  t.teardown(() => app.close())
  return app.listen({ port: 0, host: '127.0.0.1' })
}

t.test("rxgate's routes under a prefix beside the app's own: params, bodies, 404s to the app's handler", async (t) => {
  const { gateway: gw, users, orders } = await sampleGateway(t)
  const app = appWithOwnRoutes()
  await app.register(fastifyRxgate, { gateway: gw, prefix: '/api' })
  const base = await listen(t, app)

  const user = await fetch(`${base}/api/users/7?x=1`)
  t.equal(user.status, 200)
  t.same(await user.json(), { id: '7', name: 'Ada' }, 'the param reached the backend, the allow list applied')
  t.equal(user.headers.get('x-rxgate-completed'), 'true')
  t.equal(users.seen.at(-1)?.url, '/users/7')

  t.same(await (await fetch(`${base}/status`)).json(), { app: 'ok' }, "the app's route")
  const updated = await fetch(`${base}/api/users/7`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Grace"}' })
  t.same(await updated.json(), { app: 'updated', id: '7', body: { name: 'Grace' } }, "the app's route under the prefix wins, its JSON parser intact")

  const sent = '{"item":"pen","qty":2}'
  const created = await fetch(`${base}/api/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: sent })
  t.same([created.status, await created.json()], [200, { received: sent }], 'the body sent on as the client wrote it')
  const untyped = await fetch(`${base}/api/orders`, { method: 'POST', body: Buffer.from('plain bytes') })
  t.same(await untyped.json(), { received: 'plain bytes' }, 'a body without a content type too')
  const xml = await fetch(`${base}/api/orders`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<a/>' })
  t.same(await xml.json(), { received: '<a/>' }, 'and of a type fastify has no parser for')
  t.equal(orders.seen.length, 3)

  for (const path of ['/api/nowhere', '/nowhere', '/api/users/7/extra']) {
    const missing = await fetch(`${base}${path}`)
    t.equal(missing.status, 404, path)
    t.same(await missing.json(), { app: 'not found' }, `${path}: the app's not-found handler`)
  }
  t.equal((await fetch(`${base}/users/7`)).status, 404, 'not outside the prefix')
  t.same(await (await fetch(`${base}/throws`)).json(), { statusCode: 500, error: 'Internal Server Error', message: 'the app failed' }, "the app's errors stay the app's")
})

t.test('a partial answer keeps its completion header; a failed endpoint gets rxgate’s error', async (t) => {
  const { gateway: gw } = await sampleGateway(t)
  const app = appWithOwnRoutes()
  await app.register(fastifyRxgate, { gateway: gw })
  const base = await listen(t, app)
  const partial = await fetch(`${base}/frontpage/1`)
  t.equal(partial.status, 200)
  t.equal(partial.headers.get('x-rxgate-completed'), 'false', 'the slow backend missed the deadline')
  t.same(await partial.json(), { name: 'Ada' })
  const broken = await fetch(`${base}/broken`)
  t.equal(broken.status, 500)
  const body = (await broken.json()) as { error: { code: string } }
  t.equal(body.error.code, 'RXGATE_ERR_BACKEND_STATUS')
  t.notMatch(JSON.stringify(body), /db-7/)
  t.same(await (await fetch(`${base}/status`)).json(), { app: 'ok' })
  t.same(await (await fetch(`${base}/nowhere`)).json(), { app: 'not found' }, 'without a prefix, unrouted requests reach the app too')
})

t.test('closing the app drains and closes the gateway', async (t) => {
  const { logger, lines } = recordingLogger()
  const gw = gateway({ logger }).get(
    '/wait/{ms}',
    pipe(
      delayWhen((req: GatewayRequest) => timer(Number(req.params.ms))),
      map(() => ({ waited: true })),
    ),
  )
  const app = Fastify()
  await app.register(fastifyRxgate, { gateway: gw })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const inFlight = fetch(`${base}/wait/300`)
  await new Promise((resolve) => setTimeout(resolve, 50))
  const closing = app.close()
  const answer = await inFlight
  t.same([answer.status, await answer.json()], [200, { waited: true }], 'the request in flight finished')
  // fastify's close waits for keep-alive connections that were busy when it began (its default).
  app.server.closeIdleConnections()
  await closing
  t.ok(
    lines.some((line) => line.msg === 'rxgate closed'),
    'the gateway closed with the app',
  )
  t.ok(
    lines.some((line) => line.msg === 'request' && line.path === '/wait/300' && line.status === 200),
    "rxgate's access log has the request",
  )
})
