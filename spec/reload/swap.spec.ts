import { delay, map, pipe } from 'rxjs'
import t from 'tap'
import { gateway } from '../../lib/gateway.js'
import { quiet, serveGateway } from '../helpers/serve-gateway.js'

async function get(url: string) {
  const res = await fetch(url)
  return { status: res.status, body: await res.text() }
}

t.test('swap serves the successor\'s routes from then on, and the old ones finish what they started', async (t) => {
  const gw = gateway(quiet)
    .get('/old', map(() => ({ version: 'old' })))
    .get('/slow', pipe(delay(400), map(() => ({ version: 'old' }))))
  let oldReleased = false
  gw.onClose(async () => {
    oldReleased = true
  })
  const base = await serveGateway(t, gw)
  t.same(await get(`${base}/old`), { status: 200, body: '{"version":"old"}' })

  const inFlight = get(`${base}/slow`)
  await new Promise((resolve) => setTimeout(resolve, 100))
  const next = gw.successor({ healthPath: '/healthz' })
    .get('/new', map(() => ({ version: 'new' })))
    .get('/slow', map(() => ({ version: 'new' })))
  const { released } = await gw.swap(next)

  t.same(await get(`${base}/new`), { status: 200, body: '{"version":"new"}' }, 'a route the successor added')
  t.equal((await get(`${base}/old`)).status, 404, 'a route it dropped')
  t.same(await get(`${base}/slow`), { status: 200, body: '{"version":"new"}' }, 'a request after the swap: the new pipeline')
  t.equal((await get(`${base}/healthz`)).status, 200, 'its health path')
  t.equal((await get(`${base}/__health`)).status, 404, 'not the old one')
  t.notOk(oldReleased, 'the old routes are not released while one of their requests runs')
  t.same(await inFlight, { status: 200, body: '{"version":"old"}' }, 'the request in flight finishes on the old pipeline')
  await released
  t.ok(oldReleased, 'the old routes\' onClose tasks ran once their requests were done')
})

t.test('a swap with no request in flight releases the old routes at once', async (t) => {
  const gw = gateway(quiet).get('/a', map(() => 1))
  let closed = 0
  gw.onClose(async () => {
    closed++
  })
  await serveGateway(t, gw)
  const { released } = await gw.swap(gw.successor().get('/b', map(() => 2)))
  await released
  t.equal(closed, 1)
})

t.test('swap takes only a successor of the same gateway; a successor is never listened itself', async (t) => {
  const gw = gateway(quiet)
  const other = gateway(quiet)
  await t.rejects(gw.swap(other), /successor\(\)/)
  await t.rejects(gw.swap(other.successor()), /successor\(\)/)
  const next = gw.successor()
  await t.rejects(next.listen(0), /swap\(\) it into the gateway it replaces/)
  t.throws(() => next.handler(), /swap\(\) it into the gateway it replaces/)
  await gw.swap(next)
  await t.rejects(gw.swap(next), /successor\(\)/, 'and swapped in once')
})
