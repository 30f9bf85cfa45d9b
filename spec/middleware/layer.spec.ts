import { Observable, map, mergeMap, of, pipe, throwError } from 'rxjs'
import t from 'tap'
import { backend } from '../../lib/backend/index.js'
import { ErrorCodes, RxgateError } from '../../lib/errors.js'
import { gateway } from '../../lib/gateway.js'
import type { BackendMiddleware, EndpointMiddleware, ServerMiddleware } from '../../lib/middleware/types.js'
import { perRequest } from '../../operators/per-request.js'
import { fanOut, merge, timeoutEach } from '../../operators/index.js'
import { httpBackend, sendJson } from '../fixtures/backends.js'
import { quiet, recordingLogger, serveGateway } from '../helpers/serve-gateway.js'

t.test('server middlewares wrap every request before routing, the first added outermost, and may answer by themselves', async (t) => {
  const seen: string[] = []
  const trace = (name: string): ServerMiddleware => (next) => (req, res) => {
    seen.push(name)
    res.setHeader(`x-${name}`, 'passed')
    next(req, res)
  }
  const teapot: ServerMiddleware = (next) => (req, res) => {
    if (req.url === '/tea') res.writeHead(418).end('short and stout')
    else next(req, res)
  }
  const { logger, lines } = recordingLogger()
  const gw = gateway({ logger }).use(trace('outer')).use(teapot).use(trace('inner')).get('/hello', map(() => ({ hello: 'world' })))
  const base = await serveGateway(t, gw)

  const hello = await fetch(`${base}/hello`)
  t.same(await hello.json(), { hello: 'world' })
  t.same([hello.headers.get('x-outer'), hello.headers.get('x-inner')], ['passed', 'passed'], 'headers a middleware sets go out with the answer')
  t.same(seen, ['outer', 'inner'])

  const tea = await fetch(`${base}/tea`)
  t.same([tea.status, await tea.text(), tea.headers.get('x-outer'), tea.headers.get('x-inner')], [418, 'short and stout', 'passed', null])
  t.same(seen, ['outer', 'inner', 'outer'], 'answered by the middleware: nothing inner ran')
  const preflight = await fetch(`${base}/nowhere`, { method: 'OPTIONS' })
  t.equal(preflight.status, 404, 'an unrouted request passes every middleware, then gets its 404')
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.ok(lines.some((line) => line.msg === 'request' && line.path === '/tea' && line.status === 418), 'a request a middleware answered is logged too')
})

t.test('a server middleware that throws ends its request with a 500, not the process', async (t) => {
  const broken: ServerMiddleware = () => () => {
    throw new Error('middleware bug')
  }
  const base = await serveGateway(t, gateway(quiet).use(broken).get('/x', map(() => ({}))))
  const res = await fetch(`${base}/x`)
  t.equal(res.status, 500)
  t.match(await res.json(), { error: { code: 'RXGATE_ERR_INTERNAL' } })
  t.equal((await fetch(`${base}/x`)).status, 500, 'and the next one too: still serving')
})

t.test('an endpoint middleware: a rejection is an RxgateError with its status and headers, and no backend is called', async (t) => {
  const users = await httpBackend((req, res) => sendJson(res, { user: req.headers['x-user'] ?? null }))
  t.teardown(users.close)
  const requireUser: EndpointMiddleware = (pipeline) => (request$) =>
    request$.pipe(
      mergeMap((request) => {
        const user = request.headers['x-token']
        if (typeof user !== 'string') {
          return throwError(() => new RxgateError(ErrorCodes.UNAUTHORIZED, 'a token is required', {}, { headers: { 'WWW-Authenticate': 'Bearer' } }))
        }
        request.context.addBackendHeader('X-User', user)
        request.context.addResponseHeader('X-Served-For', user)
        return pipeline(of(request))
      }),
    )
  const pipeline = requireUser(pipe(fanOut({ user: backend(`${users.origin}/me`) }), timeoutEach('1s'), merge()))
  const base = await serveGateway(t, gateway(quiet).get('/me', pipeline))

  const denied = await fetch(`${base}/me`)
  t.equal(denied.status, 401)
  t.equal(denied.headers.get('www-authenticate'), 'Bearer')
  t.same(await denied.json(), { error: { code: 'RXGATE_ERR_UNAUTHORIZED', message: 'a token is required' } })
  t.equal(users.seen.length, 0, 'the backend never saw it')

  const allowed = await fetch(`${base}/me`, { headers: { 'x-token': 'ada' } })
  t.same(await allowed.json(), { user: 'ada' }, "the context's backend headers reach the backend")
  t.equal(allowed.headers.get('x-served-for'), 'ada', "and its response headers the answer")
})

t.test('a backend middleware wraps one source: its failure is that backend\'s failed part', async (t) => {
  const up = await httpBackend((_req, res) => sendJson(res, { up: true }))
  t.teardown(up.close)
  let calls = 0
  const counted: BackendMiddleware = (source) =>
    perRequest((request) => {
      calls++
      return new Observable<unknown>((subscriber) => (calls > 1 ? subscriber.error(new Error('open circuit')) : of(request).pipe(source).subscribe(subscriber)))
    })
  const pipeline = pipe(fanOut({ a: counted(backend(`${up.origin}/a`)), b: backend(`${up.origin}/b`) }), timeoutEach('1s'), merge())
  const base = await serveGateway(t, gateway(quiet).get('/both', pipeline))
  const first = await fetch(`${base}/both`)
  t.same([first.headers.get('x-rxgate-completed'), await first.json()], ['true', { up: true }])
  const second = await fetch(`${base}/both`)
  t.same([second.status, second.headers.get('x-rxgate-completed')], [200, 'false'], 'a partial answer')
  t.equal(calls, 2)
  t.same(await second.json(), { up: true })
})
