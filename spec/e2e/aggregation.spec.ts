import { get } from 'node:http'
import { pipe } from 'rxjs'
import t from 'tap'
import { backend, gateway } from '../../lib/index.js'
import { fanOut, group, merge, pick, timeoutEach } from '../../operators/index.js'
import { json, startBackends } from '../helpers/http-backend.js'
import { quiet, serveGateway } from '../helpers/serve-gateway.js'

t.test('calls the backends in parallel: the answer takes as long as the slowest, not the sum', async (t) => {
  const [a, b, c] = await startBackends(t, json({ a: 1 }, 300), json({ b: 2 }, 300), json({ c: 3 }, 300))
  const gw = gateway(quiet).get('/all', (req$) =>
    req$.pipe(fanOut([backend(`${a!.url}/a`), backend(`${b!.url}/b`), backend(`${c!.url}/c`)]), merge()),
  )
  const base = await serveGateway(t, gw)
  const started = performance.now()
  const res = await fetch(`${base}/all`)
  const elapsed = performance.now() - started
  t.equal(res.status, 200)
  t.equal(res.headers.get('x-rxgate-completed'), 'true')
  t.same(await res.json(), { a: 1, b: 2, c: 3 })
  t.ok(elapsed >= 290, `took ${elapsed.toFixed(0)} ms, at least the slowest backend`)
  t.ok(elapsed < 800, `took ${elapsed.toFixed(0)} ms, far less than the 900 ms sum`)
})

t.test('a backend past its deadline: partial answer, completion false, its request aborted', async (t) => {
  const [fast, slow] = await startBackends(t, json({ name: 'Ada', secret: 'x' }), json({ late: true }, 5000))
  const gw = gateway(quiet).get('/page/{id}', (req$) =>
    req$.pipe(
      fanOut([pipe(backend(`${fast!.url}/users/{id}`), pick(['name'])), pipe(backend(`${slow!.url}/slow`), group('slow'))]),
      timeoutEach('200ms'),
      merge(),
    ),
  )
  const base = await serveGateway(t, gw)
  const started = performance.now()
  const res = await fetch(`${base}/page/7`)
  t.equal(res.status, 200)
  t.equal(res.headers.get('x-rxgate-completed'), 'false')
  t.same(await res.json(), { name: 'Ada' })
  t.ok(performance.now() - started < 1500, 'answered at the deadline, not when the slow backend would')
  t.equal(fast!.seen[0]?.url, '/users/7')
  t.equal(await slow!.seen[0]?.aborted, true, 'the slow backend saw its request cancelled')
})

t.test('broken backends give a partial answer, never a crash', async (t) => {
  const [good, garbage, failing, reset] = await startBackends(
    t,
    json({ ok: true }),
    (_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"half": [1, 2'),
    json({ error: 'boom' }, 0, 500),
    (req) => req.socket.destroy(),
  )
  const gw = gateway(quiet)
    .get('/mixed', (req$) =>
      req$.pipe(
        fanOut([good, garbage, failing, reset].map((b) => backend(`${b!.url}/x`))),
        timeoutEach('2s'),
        merge(),
      ),
    )
    .get('/broken', (req$) =>
      req$.pipe(fanOut([garbage, failing, reset].map((b) => backend(`${b!.url}/x`))), merge()),
    )
  const base = await serveGateway(t, gw)

  const mixed = await fetch(`${base}/mixed`)
  t.equal(mixed.status, 200)
  t.equal(mixed.headers.get('x-rxgate-completed'), 'false')
  t.same(await mixed.json(), { ok: true })

  const broken = await fetch(`${base}/broken`)
  t.equal(broken.status, 500, 'every backend failed')
  t.equal(broken.headers.get('x-rxgate-completed'), 'false')
  t.match(await broken.json(), { error: { code: 'RXGATE_ERR_PIPELINE' } })

  const again = await fetch(`${base}/mixed`)
  t.equal(again.status, 200, 'the gateway still serves after the failures')
})

t.test('a client that disconnects cancels the backend requests', async (t) => {
  const [one, two] = await startBackends(t, json({ a: 1 }, 5000), json({ b: 2 }, 5000))
  const gw = gateway(quiet).get(
    '/wait',
    (req$) => req$.pipe(fanOut([backend(`${one!.url}/a`), backend(`${two!.url}/b`)]), merge()),
    { timeout: '10s' },
  )
  const base = await serveGateway(t, gw)
  const client = new AbortController()
  const answer = fetch(`${base}/wait`, { signal: client.signal }).catch((error: Error) => error)
  while (one!.seen.length === 0 || two!.seen.length === 0) await new Promise((r) => setTimeout(r, 10))
  client.abort()
  t.type(await answer, Error)
  const started = performance.now()
  t.same(await Promise.all([one!.seen[0]!.aborted, two!.seen[0]!.aborted]), [true, true])
  t.ok(performance.now() - started < 1000, 'cancelled promptly, not at the backends\' 5 s')
})

t.test('a 50 MB backend body through pick gives the right small answer', async (t) => {
  const rows = Array.from({ length: 200_000 }, (_, i) => ({ id: i, text: 'x'.repeat(200), tags: ['a', 'b'] }))
  const body = JSON.stringify({ rows, summary: { count: rows.length, name: 'big' } })
  t.ok(body.length > 45_000_000, `${(body.length / 1e6).toFixed(1)} MB`)
  const [big] = await startBackends(t, (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' })
    // Chunked, in pieces, as a real service streams a large document.
    let offset = 0
    const pump = () => {
      while (offset < body.length) {
        const more = res.write(body.slice(offset, (offset += 1 << 20)))
        if (!more) return void res.once('drain', pump)
      }
      res.end()
    }
    pump()
  })
  const gw = gateway(quiet).get(
    '/summary',
    (req$) => req$.pipe(fanOut([backend(`${big!.url}/big`, { allow: ['summary'] })]), merge()),
    { timeout: '60s' },
  )
  const base = await serveGateway(t, gw)
  const res = await fetch(`${base}/summary`)
  t.equal(res.status, 200)
  t.equal(res.headers.get('x-rxgate-completed'), 'true')
  t.same(await res.json(), { summary: { count: 200_000, name: 'big' } })
})

t.test('URL params cannot change the backend path or query', async (t) => {
  const [echo] = await startBackends(t, (req, res) => json({ url: req.url })(req, res))
  const gw = gateway(quiet).get('/users/{id}', (req$) =>
    req$.pipe(fanOut([backend(`${echo!.url}/users/{id}?v=1`)]), merge()),
  )
  const base = await serveGateway(t, gw)
  const cases: [string, string][] = [
    ['..%2F..%2Fadmin', '/users/..%2F..%2Fadmin?v=1'],
    ['a%2Fb', '/users/a%2Fb?v=1'],
    ['x%3Fadmin%3Dtrue', '/users/x%3Fadmin%3Dtrue?v=1'],
    ['%23frag', '/users/%23frag?v=1'],
  ]
  for (const [param, expected] of cases) {
    const res = await fetch(`${base}/users/${param}`)
    t.same(await res.json(), { url: expected }, param)
  }
  // fetch would normalise `/users/..` away; a raw client sends it as it is, as an attacker would.
  for (const [param, expected] of [['..', '/users/%2E%2E?v=1'], ['.', '/users/%2E?v=1']] as const) {
    const raw = await new Promise<string>((resolve, reject) =>
      get({ host: '127.0.0.1', port: new URL(base).port, path: `/users/${param}` }, (res) =>
        res.setEncoding('utf8').on('data', resolve),
      ).on('error', reject),
    )
    t.same(JSON.parse(raw), { url: expected }, `a bare "${param}" never reaches a backend as a path step`)
  }
})
