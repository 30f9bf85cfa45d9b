import { firstValueFrom, of } from 'rxjs'
import t from 'tap'
import { discovered } from '../../lib/backend/discovered.js'
import { SrvHosts } from '../../lib/backend/srv.js'
import { RequestContext, type GatewayRequest } from '../../lib/request.js'
import { startDns, type SrvRecord } from '../helpers/dns-server.js'
import { json, startBackends } from '../helpers/http-backend.js'

const request: GatewayRequest = { method: 'GET', path: '/', params: {}, query: new URLSearchParams(), headers: {}, clientIp: '127.0.0.1', context: new RequestContext() }

t.test('balances over the lowest-priority records, each host as often as its weight', async (t) => {
  const [one, two, backup] = await startBackends(t, json({ host: 'one' }), json({ host: 'two' }), json({ host: 'backup' }))
  const port = (url: string) => Number(new URL(url).port)
  const { resolver } = await startDns(t, () => [
    { priority: 10, weight: 1, port: port(one!.url) },
    { priority: 10, weight: 2, port: port(two!.url) },
    { priority: 20, weight: 5, port: port(backup!.url) },
  ])
  const srv = new SrvHosts('_api._tcp.users.test', { scheme: 'http', ttl: 30_000, resolver })
  t.teardown(() => srv.close())
  const users = discovered(srv, '/users')
  const hosts: unknown[] = []
  for (let i = 0; i < 6; i++) hosts.push(((await firstValueFrom(of(request).pipe(users))) as { host: string }).host)
  t.same(hosts.filter((host) => host === 'one').length, 2)
  t.same(hosts.filter((host) => host === 'two').length, 4)
  t.equal(backup!.seen.length, 0, 'a higher priority is only a fallback')
  t.equal(one!.seen[0]?.url, '/users')
})

t.test('renews the list every ttl, and keeps the last good one when DNS fails', async (t) => {
  const [first, second] = await startBackends(t, json({ host: 'first' }), json({ host: 'second' }))
  let answer: SrvRecord[] | null = [{ priority: 0, weight: 1, port: Number(new URL(first!.url).port) }]
  const { resolver } = await startDns(t, () => answer)
  const srv = new SrvHosts('_api._tcp.moving.test', { scheme: 'http', ttl: 100, resolver })
  t.teardown(() => srv.close())
  const call = () => firstValueFrom(of(request).pipe(discovered(srv, '/')))
  t.same(await call(), { host: 'first' })
  answer = [{ priority: 0, weight: 1, port: Number(new URL(second!.url).port) }]
  await new Promise((resolve) => setTimeout(resolve, 250))
  t.same(await call(), { host: 'second' }, 'the new list is used')
  answer = null
  await new Promise((resolve) => setTimeout(resolve, 250))
  t.same(await call(), { host: 'second' }, 'a failed renewal keeps the last good list')
})

t.test('a name that resolves to nothing is a clear error', async (t) => {
  const { resolver } = await startDns(t, () => null)
  const srv = new SrvHosts('_api._tcp.missing.test', { scheme: 'http', ttl: 30_000, resolver })
  t.teardown(() => srv.close())
  await t.rejects(firstValueFrom(of(request).pipe(discovered(srv, '/'))), {
    code: 'RXGATE_ERR_BACKEND_NETWORK',
    message: /_api\._tcp\.missing\.test gave no hosts/,
  })
})
