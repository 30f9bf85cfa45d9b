import { request } from 'node:http'
import { NEVER, delay, finalize, map, mergeMap, of, throwError, timer } from 'rxjs'
import t from 'tap'
import { gateway } from '../../lib/gateway.js'
import { quiet, recordingLogger, serveGateway } from '../helpers/serve-gateway.js'

t.test('health, 404, 405 and plain answers', async (t) => {
  const gw = gateway(quiet)
    .get('/hello/{name}', map((req) => ({ hello: req.params.name, q: req.query.get('q') })))
    .delete('/hello/{name}', map(() => ({})))
  const base = await serveGateway(t, gw)

  const health = await fetch(`${base}/__health`)
  t.equal(health.status, 200)
  const document = (await health.json()) as { now: string }
  t.same(document, { agents: {}, now: document.now, status: 'ok' }, "KrakenD's health document")
  t.ok(Math.abs(Date.parse(document.now) - Date.now()) < 5000, 'now is the server time, RFC 3339')

  const hello = await fetch(`${base}/hello/ad%C3%A1?q=1`)
  t.equal(hello.status, 200)
  t.equal(hello.headers.get('content-type'), 'application/json; charset=utf-8')
  t.equal(hello.headers.get('x-rxgate-completed'), 'true')
  t.same(await hello.json(), { hello: 'adá', q: '1' })

  const missing = await fetch(`${base}/nowhere`)
  t.equal(missing.status, 404)
  t.match(await missing.json(), { error: { code: 'RXGATE_ERR_NOT_FOUND' } })

  const wrong = await fetch(`${base}/hello/x`, { method: 'POST', body: '{}' })
  t.equal(wrong.status, 405)
  t.equal(wrong.headers.get('allow'), 'GET, DELETE')
  t.match(await wrong.json(), { error: { code: 'RXGATE_ERR_METHOD_NOT_ALLOWED' } })

  const bad = await fetch(`${base}/nowhere/%zz`)
  t.equal(bad.status, 400)
  t.match(await bad.json(), { error: { code: 'RXGATE_ERR_BAD_REQUEST' } })
})

t.test('a custom health path', async (t) => {
  const base = await serveGateway(t, gateway({ ...quiet, healthPath: '/healthz' }))
  t.equal((await fetch(`${base}/healthz`)).status, 200)
  t.equal((await fetch(`${base}/__health`)).status, 404)
})

t.test('request bodies are read up to a limit', async (t) => {
  const gw = gateway(quiet).post('/echo', map((req) => ({ size: req.body?.length ?? 0 })), { maxBodyBytes: 1000 })
  const base = await serveGateway(t, gw)
  const small = await fetch(`${base}/echo`, { method: 'POST', body: 'x'.repeat(999) })
  t.same(await small.json(), { size: 999 })
  const large = await fetch(`${base}/echo`, { method: 'POST', body: 'x'.repeat(1001) })
  t.equal(large.status, 413)
  t.match(await large.json(), { error: { code: 'RXGATE_ERR_REQUEST_TOO_LARGE' } })
})

t.test('a failing, silent or hanging pipeline gets a clear error answer', async (t) => {
  const gw = gateway(quiet)
    .get('/throws', mergeMap(() => throwError(() => new Error('kaput'))))
    .get('/empty', mergeMap(() => of()))
    .get('/hangs', mergeMap(() => NEVER), { timeout: 100 })
    .get('/broken', () => {
      throw new Error('not even an observable')
    })
  const base = await serveGateway(t, gw)
  const throws = await fetch(`${base}/throws`)
  t.equal(throws.status, 500)
  t.match(await throws.json(), { error: { code: 'RXGATE_ERR_PIPELINE' } })
  const empty = await fetch(`${base}/empty`)
  t.equal(empty.status, 500)
  t.match(await empty.json(), { error: { code: 'RXGATE_ERR_EMPTY' } })
  const broken = await fetch(`${base}/broken`)
  t.equal(broken.status, 500)
  t.match(await broken.json(), { error: { code: 'RXGATE_ERR_PIPELINE' } })
  t.equal((await fetch(`${base}/__health`)).status, 200, 'still serving')
  const hangs = await fetch(`${base}/hangs`)
  t.equal(hangs.status, 504)
  t.match(await hangs.json(), { error: { code: 'RXGATE_ERR_ENDPOINT_TIMEOUT' } })
})

t.test('a client that leaves cancels its pipeline', async (t) => {
  let cancelled = false
  const gw = gateway(quiet).get('/slow', mergeMap(() => timer(5000).pipe(map(() => ({})), finalize(() => (cancelled = true)))), {
    timeout: '10s',
  })
  const base = await serveGateway(t, gw)
  const client = new AbortController()
  const answer = fetch(`${base}/slow`, { signal: client.signal }).catch((error: Error) => error)
  await new Promise((resolve) => setTimeout(resolve, 100))
  client.abort()
  await answer
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.ok(cancelled, 'the pipeline was unsubscribed')
})

t.test('close() lets in-flight requests finish, then stops', async (t) => {
  const gw = gateway(quiet).get('/slow', mergeMap(() => of({ done: true }).pipe(delay(300))))
  const { port } = await gw.listen(0, '127.0.0.1')
  const inFlight = fetch(`http://127.0.0.1:${port}/slow`)
  await new Promise((resolve) => setTimeout(resolve, 50))
  const closing = gw.close()
  const answer = await inFlight
  t.equal(answer.status, 200)
  t.same(await answer.json(), { done: true })
  await closing
  const refused = await new Promise<Error>((resolve) => request(`http://127.0.0.1:${port}/slow`).on('error', resolve).end())
  t.match(refused, { code: 'ECONNREFUSED' }, 'no longer accepting')
})

t.test('close() cuts requests still running after the grace period', async (t) => {
  const gw = gateway({ ...quiet, shutdownTimeout: 200 }).get('/forever', mergeMap(() => NEVER), { timeout: '1m' })
  const { port } = await gw.listen(0, '127.0.0.1')
  const answer = fetch(`http://127.0.0.1:${port}/forever`).catch((error: Error) => error)
  await new Promise((resolve) => setTimeout(resolve, 50))
  const started = performance.now()
  await gw.close()
  t.ok(performance.now() - started < 1000, 'closed after the grace period')
  t.type(await answer, Error)
})

t.test('one access-log line per request', async (t) => {
  const { logger, lines } = recordingLogger()
  const gw = gateway({ logger }).get('/a', map(() => ({})))
  const base = await serveGateway(t, gw)
  await (await fetch(`${base}/a?x=1`)).text()
  await (await fetch(`${base}/b`)).text()
  const access = lines.filter((line) => line.msg === 'request')
  t.match(access, [
    { method: 'GET', path: '/a', status: 200, completed: true },
    { method: 'GET', path: '/b', status: 404, completed: false },
  ])
  t.type(access[0]?.ms, 'number')
  t.same(lines.filter((line) => (line.level as number) >= 40), [], 'a pipeline that answers and ends at once is no failure: nothing above info')
})

t.test('router options: trailing slashes, extra slashes, OPTIONS, 405 or 404, no health', async (t) => {
  const ok = map(() => ({ ok: true }))
  const defaults = await serveGateway(t, gateway(quiet).get('/a', ok).post('/a', ok).get('/b/', ok))
  const redirect = await fetch(`${defaults}/a/?x=1`, { redirect: 'manual' })
  t.equal(redirect.status, 301)
  t.equal(redirect.headers.get('location'), '/a?x=1')
  const post = await fetch(`${defaults}/a/`, { method: 'POST', redirect: 'manual' })
  t.equal(post.status, 307, 'the method and body are kept')
  t.equal((await fetch(`${defaults}/b`, { redirect: 'manual' })).headers.get('location'), '/b/')
  t.equal((await fetch(`${defaults}//a`)).status, 404, 'extra slashes are not removed by default')
  t.equal((await fetch(`${defaults}/a`, { method: 'OPTIONS' })).status, 405, 'no automatic OPTIONS by default')

  const tuned = await serveGateway(
    t,
    gateway({ ...quiet, redirectTrailingSlash: false, removeExtraSlash: true, autoOptions: true, methodNotAllowed: false, healthPath: false })
      .get('/a', ok)
      .post('/a', ok),
  )
  t.equal((await fetch(`${tuned}/a/`, { redirect: 'manual' })).status, 404)
  t.same(await (await fetch(`${tuned}//a`)).json(), { ok: true })
  const options = await fetch(`${tuned}/a`, { method: 'OPTIONS' })
  t.equal(options.status, 200)
  t.equal(options.headers.get('allow'), 'GET, POST, OPTIONS')
  t.equal((await fetch(`${tuned}/a`, { method: 'PUT' })).status, 404)
  t.equal((await fetch(`${tuned}/__health`)).status, 404)
})

t.test('access log skips the listed paths', async (t) => {
  const { logger, lines } = recordingLogger()
  const base = await serveGateway(t, gateway({ logger, accessLogSkip: ['/__health'] }).get('/a', map(() => ({}))))
  await (await fetch(`${base}/__health`)).text()
  await (await fetch(`${base}/a`)).text()
  t.same(lines.filter((line) => line.msg === 'request').map((line) => line.path), ['/a'])
})
