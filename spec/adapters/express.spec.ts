import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express, { type Express } from 'express'
import { delayWhen, map, pipe, timer } from 'rxjs'
import t, { type Test } from 'tap'
import { gateway } from '../../lib/gateway.js'
import type { GatewayRequest } from '../../lib/request.js'
import { quiet, recordingLogger } from '../helpers/serve-gateway.js'
import { sampleGateway } from './sample-gateway.js'

/** Serves an express app on a free loopback port, closed when the test ends; its base URL. */
async function serveApp(t: Test, app: Express): Promise<string> {
  const server = await new Promise<Server>((resolve) => {
    const started: Server = app.listen(0, '127.0.0.1', () => resolve(started))
  })
  t.teardown(() => {
    server.closeAllConnections()
    return new Promise((resolve) => server.close(resolve))
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** The app's own routes around a gateway's handler, as a user writes them. */
function appAround(handler: express.RequestHandler, mountPath = '/'): Express {
  const app = express()
  app.get('/status', (_req, res) => {
    res.json({ app: 'ok' })
  })
  app.use(mountPath, handler)
  // After the handler: the app's own body parser, routes and not-found answer.
  app.post('/users/:id', express.json(), (req, res) => {
    res.json({ app: 'updated', id: req.params.id, body: req.body as unknown })
  })
  app.get('/throws', () => {
    throw new Error('the app failed')
  })
  app.use((_req, res) => {
    res.status(404).json({ app: 'not found' })
  })
  app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json({ app: error.message })
  })
  return app
}

t.test("rxgate's routes and the app's side by side: params, the app's routes, 404s to the app", async (t) => {
  const { gateway: gw, users } = await sampleGateway(t)
  const base = await serveApp(t, appAround(gw.handler()))

  const user = await fetch(`${base}/users/7`)
  t.equal(user.status, 200)
  t.same(await user.json(), { id: '7', name: 'Ada' }, "rxgate's endpoint: the param reached the backend, the allow list applied")
  t.equal(user.headers.get('x-rxgate-completed'), 'true')
  t.equal(users.seen.at(-1)?.url, '/users/7')

  t.same(await (await fetch(`${base}/status`)).json(), { app: 'ok' }, "the app's route before the handler")
  const updated = await fetch(`${base}/users/7`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Grace"}' })
  t.same(await updated.json(), { app: 'updated', id: '7', body: { name: 'Grace' } }, "POST on rxgate's GET path: the app's route, its body parser intact")
  const missing = await fetch(`${base}/nowhere`)
  t.equal(missing.status, 404)
  t.same(await missing.json(), { app: 'not found' }, "a path no route of rxgate takes: the app's own 404")
  t.equal(missing.headers.get('x-rxgate-completed'), null)
  const trailing = await fetch(`${base}/users/7/`, { redirect: 'manual' })
  t.equal(trailing.status, 404, 'no trailing-slash redirect of a path that may be the app’s')
  t.same(await (await fetch(`${base}/throws`)).json(), { app: 'the app failed' }, "the app's errors stay the app's")
  t.equal((await fetch(`${base}/__health`)).status, 200, "rxgate's health endpoint")
})

t.test('mounted under a path, as express mounts routers', async (t) => {
  const { gateway: gw } = await sampleGateway(t)
  const base = await serveApp(t, appAround(gw.handler(), '/api'))
  t.same(await (await fetch(`${base}/api/users/42?x=1`)).json(), { id: '42', name: 'Ada' })
  t.equal((await fetch(`${base}/users/42`)).status, 404, 'not at the root')
  t.same(await (await fetch(`${base}/api/nowhere`)).json(), { app: 'not found' })
})

t.test('a partial answer keeps its completion header; a failed endpoint gets rxgate’s error', async (t) => {
  const { gateway: gw } = await sampleGateway(t)
  const base = await serveApp(t, appAround(gw.handler()))
  const partial = await fetch(`${base}/frontpage/1`)
  t.equal(partial.status, 200)
  t.equal(partial.headers.get('x-rxgate-completed'), 'false', 'the slow backend missed the deadline')
  t.same(await partial.json(), { name: 'Ada' })
  const broken = await fetch(`${base}/broken`)
  t.equal(broken.status, 500)
  const body = (await broken.json()) as { error: { code: string } }
  t.equal(body.error.code, 'RXGATE_ERR_BACKEND_STATUS')
  t.notMatch(JSON.stringify(body), /db-7/, 'nothing of the backend leaks')
})

t.test('request bodies: sent on as the client wrote them; a body parser before the handler is refused clearly', async (t) => {
  const { gateway: gw, orders } = await sampleGateway(t)
  const base = await serveApp(t, appAround(gw.handler()))
  const sent = '{"item":"pen","qty":2}'
  const created = await fetch(`${base}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: sent })
  t.equal(created.status, 200)
  t.same(await created.json(), { received: sent })
  t.equal(orders.seen.at(-1)?.body.toString(), sent)

  // express.raw() keeps the bytes: rxgate sends them on.
  const raw = express()
  raw.use(express.raw({ type: '*/*' }), gw.handler())
  const rawBase = await serveApp(t, raw)
  const viaRaw = await fetch(`${rawBase}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: sent })
  t.same(await viaRaw.json(), { received: sent })

  // express.json() parsed it: the client's bytes are gone; a 500 that says why in the log.
  const { logger, lines } = recordingLogger()
  const logged = gateway({ logger }).post('/echo', map(() => ({ never: true })))
  const parsed = express()
  parsed.use(express.json(), logged.handler())
  t.teardown(() => logged.close())
  const parsedBase = await serveApp(t, parsed)
  const refused = await fetch(`${parsedBase}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: sent })
  t.equal(refused.status, 500)
  t.equal(((await refused.json()) as { error: { code: string } }).error.code, 'RXGATE_ERR_INTERNAL')
  t.ok(
    lines.some((line) => typeof line.msg === 'string' && line.msg.includes('mount the handler before body parsers')),
    'the log says what to do',
  )
})

t.test('close() drains the requests that came through the handler, cuts what outlives its grace, then answers 503', async (t) => {
  // Answers after the route's `ms`: a request in flight while the gateway closes.
  const waiting = () => pipe(delayWhen((req: GatewayRequest) => timer(Number(req.params.ms))), map(() => ({ waited: true })))
  const gw = gateway({ ...quiet, shutdownTimeout: '400ms' }).get('/wait/{ms}', waiting())
  const base = await serveApp(t, appAround(gw.handler()))

  const events: string[] = []
  const drained = fetch(`${base}/wait/200`).then(async (res) => {
    events.push(`answered ${res.status} ${await res.text()}`)
  })
  const cut = fetch(`${base}/wait/3000`).then(
    () => events.push('the long one answered'),
    () => events.push('the long one cut'),
  )
  await new Promise((resolve) => setTimeout(resolve, 50))
  const started = performance.now()
  await gw.close()
  events.push('closed')
  await Promise.all([drained, cut])
  t.equal(events[0], 'answered 200 {"waited":true}', 'the short request finished before close() resolved')
  t.ok(events.includes('the long one cut'), 'the long one was cut once the grace had passed')
  t.ok(performance.now() - started < 2500, 'close() did not wait for the long one')

  const after = await fetch(`${base}/wait/1`)
  t.equal(after.status, 503)
  t.equal(((await after.json()) as { error: { code: string } }).error.code, 'RXGATE_ERR_CLOSED')
  t.same(await (await fetch(`${base}/status`)).json(), { app: 'ok' }, "the app's routes still serve")
})
