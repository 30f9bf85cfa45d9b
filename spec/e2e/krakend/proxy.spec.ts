import t from 'tap'
import { json, startBackends } from '../../helpers/http-backend.js'
import { startDns } from '../../helpers/dns-server.js'
import { runGateway } from '../../helpers/run-cli.js'

t.test('static data, per strategy', async (t) => {
  const [up, down] = await startBackends(t, json({ live: true }), json({}, 0, 500))
  const staticOn = (strategy: string) => ({ proxy: { static: { strategy, data: { fallback: strategy } } } })
  const endpoints = ['always', 'success', 'complete', 'errored', 'incomplete'].flatMap((strategy) => [
    { endpoint: `/up/${strategy}`, extra_config: staticOn(strategy), backend: [{ host: [up!.url], url_pattern: '/' }] },
    {
      endpoint: `/half/${strategy}`,
      extra_config: staticOn(strategy),
      backend: [
        { host: [up!.url], url_pattern: '/' },
        { host: [down!.url], url_pattern: '/' },
      ],
    },
  ])
  const { base } = await runGateway(t, { endpoints })
  const has = async (path: string) => 'fallback' in ((await (await fetch(base + path)).json()) as object)
  t.same(
    {
      always: [await has('/up/always'), await has('/half/always')],
      success: [await has('/up/success'), await has('/half/success')],
      complete: [await has('/up/complete'), await has('/half/complete')],
      errored: [await has('/up/errored'), await has('/half/errored')],
      incomplete: [await has('/up/incomplete'), await has('/half/incomplete')],
    },
    {
      always: [true, true],
      success: [true, false],
      complete: [true, false],
      errored: [false, true],
      incomplete: [false, true],
    },
  )
})

t.test('sequential: later backends read earlier responses; a failure stops the chain', async (t) => {
  const [hotels, destinations, broken] = await startBackends(
    t,
    json({ hotel_id: 25, name: 'Hotel California', destination: { id: 'd-42' } }),
    (req, res) => json({ destination: req.url })(req, res),
    json({}, 0, 500),
  )
  const { base } = await runGateway(t, {
    endpoints: [
      {
        endpoint: '/trip/{id}',
        extra_config: { proxy: { sequential: true } },
        backend: [
          { host: [hotels!.url], url_pattern: '/hotels/{id}' },
          { host: [destinations!.url], url_pattern: '/destinations/{resp0_destination.id}?hotel={resp0_hotel_id}' },
        ],
      },
      {
        endpoint: '/stops/{id}',
        extra_config: { proxy: { sequential: true } },
        backend: [
          { host: [broken!.url], url_pattern: '/broken' },
          { host: [destinations!.url], url_pattern: '/never' },
        ],
      },
    ],
  })
  const trip = await fetch(`${base}/trip/25`)
  t.same(await trip.json(), {
    hotel_id: 25,
    name: 'Hotel California',
    destination: '/destinations/d-42?hotel=25',
  })
  const stops = await fetch(`${base}/stops/1`)
  t.equal(stops.headers.get('x-rxgate-completed'), 'false')
  t.notOk(destinations!.seen.some((seen) => seen.url === '/never'), 'the chain stopped at the failure')
})

t.test('concurrent_calls: several calls at once, the first answer wins', async (t) => {
  let calls = 0
  const [flaky] = await startBackends(t, (req, res) => {
    calls++
    json({ call: calls }, calls % 2 === 1 ? 50 : 1000)(req, res)
  })
  const { base } = await runGateway(t, {
    endpoints: [{ endpoint: '/fast', concurrent_calls: 2, backend: [{ host: [flaky!.url], url_pattern: '/' }] }],
  })
  const started = performance.now()
  t.same(await (await fetch(`${base}/fast`)).json(), { call: 1 })
  t.ok(performance.now() - started < 800, 'did not wait for the slow copy')
  t.equal(flaky!.seen.length, 2)
})

t.test('shadow backends get the traffic but never shape the answer', async (t) => {
  const [main, mirror] = await startBackends(t, json({ main: true }), json({ shadow: true }))
  const { base } = await runGateway(t, {
    endpoints: [
      {
        endpoint: '/mirrored',
        backend: [
          { host: [main!.url], url_pattern: '/' },
          { host: [mirror!.url], url_pattern: '/copy', extra_config: { proxy: { shadow: true } } },
        ],
      },
    ],
  })
  const res = await fetch(`${base}/mirrored`)
  t.same(await res.json(), { main: true })
  t.equal(res.headers.get('x-rxgate-completed'), 'true')
  while (mirror!.seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
  t.equal(mirror!.seen[0]?.url, '/copy')
})

t.test('hosts are balanced round robin; headers and query strings only when listed', async (t) => {
  const echo = (name: string) => (req: Parameters<Parameters<typeof startBackends>[1]>[0], res: Parameters<Parameters<typeof startBackends>[1]>[1]) =>
    json({ host: name, url: req.url, auth: req.headers.authorization ?? null, other: req.headers['x-other'] ?? null })(req, res)
  const [a, b] = await startBackends(t, echo('a'), echo('b'))
  const { base } = await runGateway(t, {
    endpoints: [
      {
        endpoint: '/rr',
        input_headers: ['Authorization'],
        input_query_strings: ['page'],
        backend: [{ host: [a!.url, b!.url], url_pattern: '/items' }],
      },
      { endpoint: '/closed', backend: [{ host: [a!.url], url_pattern: '/items' }] },
    ],
  })
  const headers = { authorization: 'Bearer t', 'x-other': 'no' }
  const first = (await (await fetch(`${base}/rr?page=2&secret=1`, { headers })).json()) as Record<string, unknown>
  const second = (await (await fetch(`${base}/rr?page=2&secret=1`, { headers })).json()) as Record<string, unknown>
  t.same([first.host, second.host].sort(), ['a', 'b'])
  t.same(first, { host: first.host, url: '/items?page=2', auth: 'Bearer t', other: null })
  t.same(await (await fetch(`${base}/closed?page=2`, { headers })).json(), { host: 'a', url: '/items', auth: null, other: null })
})

t.test('sd: "dns" resolves DNS SRV names into the hosts to balance', async (t) => {
  const [one, two] = await startBackends(t, json({ host: 'one' }), json({ host: 'two' }))
  const port = (url: string) => Number(new URL(url).port)
  const dns = await startDns(t, () => [
    { priority: 1, weight: 1, port: port(one!.url) },
    { priority: 1, weight: 1, port: port(two!.url) },
  ])
  const { base } = await runGateway(
    t,
    { endpoints: [{ endpoint: '/srv', backend: [{ host: ['_api._tcp.users.test'], sd: 'dns', url_pattern: '/' }] }] },
    { env: { RXGATE_DNS_SERVERS: dns.server } },
  )
  const hosts = []
  for (let i = 0; i < 4; i++) hosts.push(((await (await fetch(`${base}/srv`)).json()) as { host: string }).host)
  t.same(hosts.sort(), ['one', 'one', 'two', 'two'])
})

t.test('a followed redirect carries Referer, as Go\'s client sets it', async (t) => {
  const [backend] = await startBackends(t, (req, res) => {
    if (req.url === '/old') res.writeHead(302, { Location: '/new' }).end()
    else json({ referer: req.headers.referer ?? null, url: req.url })(req, res)
  })
  const { base } = await runGateway(t, { endpoints: [{ endpoint: '/moved', backend: [{ host: [backend!.url], url_pattern: '/old' }] }] })
  t.same(await (await fetch(`${base}/moved`)).json(), { referer: `${backend!.url}/old`, url: '/new' })
})
