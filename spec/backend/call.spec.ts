import { firstValueFrom, lastValueFrom, of, Subject, toArray } from 'rxjs'
import t from 'tap'
import { backend, closeAll, httpCall } from '../../lib/backend/index.js'
import { fanOut } from '../../operators/fan-out.js'
import { gatewayRequest, httpBackend, sendJson } from '../fixtures/backends.js'

t.teardown(closeAll)

t.test('unsubscribing from a hanging call closes the backend connection', async (t) => {
  const arrived = new Subject<void>()
  const closed = new Subject<number>()
  const server = await httpBackend((req, res) => {
    const started = Date.now()
    res.on('close', () => closed.next(Date.now() - started))
    arrived.next()
    if (req.url === '/head-then-hang') res.writeHead(200).write('{"a":') // the body never ends
  })
  t.teardown(server.close)
  for (const path of ['/hang', '/head-then-hang']) {
    const wasClosed = firstValueFrom(closed)
    const subscription = httpCall(`${server.origin}${path}`)(gatewayRequest()).subscribe({
      error: (error: unknown) => t.fail(`no error after unsubscribe: ${String(error)}`),
    })
    await firstValueFrom(arrived)
    const t0 = Date.now()
    subscription.unsubscribe()
    await wasClosed
    t.ok(Date.now() - t0 < 500, `${path}: the server saw the connection close at once`)
  }
})

t.test('nothing is sent before subscription; each subscription is one request', async (t) => {
  const server = await httpBackend((_req, res) => sendJson(res, { n: 1 }))
  t.teardown(server.close)
  const call = httpCall(`${server.origin}/x`)
  const observable = call(gatewayRequest())
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(server.seen.length, 0, 'lazy')
  t.same(await lastValueFrom(observable.pipe(toArray())), [{ n: 1 }], 'one value, then complete')
  await lastValueFrom(observable)
  t.equal(server.seen.length, 2)
})

t.test('backend() is an operator over requests, and a fanOut source', async (t) => {
  const server = await httpBackend((req, res) => (req.url === '/down' ? res.writeHead(500).end() : sendJson(res, { at: req.url })))
  t.teardown(server.close)
  const users = backend<{ at: string }>(`${server.origin}/users/{id}`)
  const values = await lastValueFrom(
    of(gatewayRequest({ params: { id: '1' } }), gatewayRequest({ params: { id: '2' } })).pipe(users, toArray()),
  )
  t.same(values.map((value) => value.at).sort(), ['/users/1', '/users/2'])

  const fan = await firstValueFrom(
    of(gatewayRequest({ params: { id: '3' } })).pipe(fanOut({ user: users, broken: backend(`${server.origin}/down`) })),
  )
  const parts = await lastValueFrom(fan.pipe(toArray()))
  const byName = Object.fromEntries(parts.map((part) => [part.source, part]))
  t.match(byName.user, { ok: true, data: { at: '/users/3' } })
  t.match(byName.broken, { ok: false, error: { code: 'RXGATE_ERR_BACKEND_STATUS', details: { status: 500 } } })
})
