import http2 from 'node:http2'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { firstValueFrom, lastValueFrom, Subject } from 'rxjs'
import t from 'tap'
import { closeAll, httpCall } from '../../lib/backend/index.js'
import { VERSION } from '../../lib/version.js'
import { failure, gatewayRequest } from '../fixtures/backends.js'
import { selfSignedCertificate } from '../fixtures/tls.js'

t.teardown(closeAll)

type Handler = (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void

/** What a test server saw of one request. */
interface Seen {
  url: string
  version: string
  headers: http2.IncomingHttpHeaders
}

async function start(server: http2.Http2Server | https.Server, scheme: 'http' | 'https') {
  const sockets = new Set<Duplex>()
  const sessions = new Set<http2.ServerHttp2Session>()
  server.on('connection', (socket: Duplex) => sockets.add(socket))
  server.on('secureConnection', (socket: Duplex) => sockets.add(socket))
  server.on('session', (session: http2.ServerHttp2Session) => sessions.add(session))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    origin: `${scheme}://127.0.0.1:${port}`,
    sessions,
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy()
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

function recording(handler: Handler, seen: Seen[]): Handler {
  return (req, res) => {
    seen.push({ url: req.url, version: req.httpVersion, headers: req.headers })
    handler(req, res)
  }
}

const json = (res: http2.Http2ServerResponse, value: unknown, status = 200) => {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(value))
}

t.test('h2c with http2: true: body, headers, status policy, one session', async (t) => {
  const seen: Seen[] = []
  const server = http2.createServer(
    recording((req, res) => {
      if (req.url === '/boom') return void res.writeHead(502).end('bad gateway upstream')
      if (req.url === '/garbage') return void res.writeHead(200).end('not json')
      json(res, { at: req.url, items: [{ id: 1, secret: 'x' }] })
    }, seen),
  )
  const backend = await start(server, 'http')
  t.teardown(backend.close)
  const options = { http2: true, headers: ['authorization'], allow: ['at', 'items.id'] } as const
  const req = gatewayRequest({ params: { id: 'a/b' }, headers: { host: 'gw', authorization: 'Bearer x', cookie: 'c' } })
  t.same(await lastValueFrom(httpCall(`${backend.origin}/users/{id}`, options)(req)), { at: '/users/a%2Fb', items: [{ id: 1 }] })
  t.equal(seen[0]!.version, '2.0')
  t.equal(seen[0]!.headers.authorization, 'Bearer x')
  t.equal(seen[0]!.headers.cookie, undefined)
  t.equal(seen[0]!.headers['user-agent'], `rxgate/${VERSION}`)
  t.equal(seen[0]!.headers['x-forwarded-for'], '10.0.0.7')
  await t.rejects(lastValueFrom(httpCall(`${backend.origin}/boom`, { http2: true })(req)), {
    code: 'RXGATE_ERR_BACKEND_STATUS',
    details: { status: 502, body: 'bad gateway upstream' },
  })
  await t.rejects(lastValueFrom(httpCall(`${backend.origin}/garbage`, { http2: true })(req)), {
    code: 'RXGATE_ERR_BACKEND_DECODE',
    details: { body: 'not json' },
  })
  t.equal(backend.sessions.size, 1, 'every call shared one HTTP/2 session')
})

t.test('h2c: unsubscribing resets the stream; the session lives on', async (t) => {
  const arrived = new Subject<void>()
  const closed = new Subject<void>()
  const server = http2.createServer((req, res) => {
    if (req.url === '/ok') return json(res, { ok: true })
    req.stream.on('close', () => closed.next())
    arrived.next()
    if (req.url === '/head-then-hang') res.writeHead(200).write('{"a":')
  })
  const backend = await start(server, 'http')
  t.teardown(backend.close)
  for (const path of ['/hang', '/head-then-hang']) {
    const wasClosed = firstValueFrom(closed)
    const subscription = httpCall(`${backend.origin}${path}`, { http2: true })(gatewayRequest()).subscribe({
      error: (error: unknown) => t.fail(String(error)),
    })
    await firstValueFrom(arrived)
    const t0 = Date.now()
    subscription.unsubscribe()
    await wasClosed
    t.ok(Date.now() - t0 < 500, `${path}: the server saw the stream close at once`)
  }
  t.same(await lastValueFrom(httpCall(`${backend.origin}/ok`, { http2: true })(gatewayRequest())), { ok: true })
  t.equal(backend.sessions.size, 1)
})

t.test('h2c: a body over maxBodyBytes fails and resets the stream', async (t) => {
  const closed = new Subject<void>()
  const server = http2.createServer((req, res) => {
    req.stream.on('close', () => closed.next())
    res.writeHead(200)
    const piece = Buffer.alloc(16 * 1024, 0x20)
    const pump = () => {
      if (res.stream.destroyed) return
      res.write(piece)
      setImmediate(pump)
    }
    pump()
  })
  const backend = await start(server, 'http')
  t.teardown(backend.close)
  const wasClosed = firstValueFrom(closed)
  await t.rejects(lastValueFrom(httpCall(`${backend.origin}/big`, { http2: true, maxBodyBytes: 100_000 })(gatewayRequest())), {
    code: 'RXGATE_ERR_BACKEND_TOO_LARGE',
  })
  await wasClosed
  t.pass('stream closed on the server')
})

t.test('h2c: a refused connection, a reset session or stream fails, never hangs', async (t) => {
  const server = http2.createServer((req, res) => {
    if (req.url === '/session') return void req.stream.session?.destroy()
    res.writeHead(200).write('{"a":')
    setTimeout(() => {
      if (req.url === '/stream') res.stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR)
      else res.stream.session?.destroy()
    }, 10)
  })
  const backend = await start(server, 'http')
  for (const path of ['/session', '/stream']) {
    await t.rejects(lastValueFrom(httpCall(`${backend.origin}${path}`, { http2: true })(gatewayRequest())), {
      code: 'RXGATE_ERR_BACKEND_NETWORK',
    }, path)
  }
  // A session closed cleanly (GOAWAY) mid-body ends the stream as if complete: the cut body fails to decode.
  const midway = await failure(lastValueFrom(httpCall(`${backend.origin}/session-midway`, { http2: true })(gatewayRequest())))
  t.match(midway.code, /^RXGATE_ERR_BACKEND_(NETWORK|DECODE)$/)
  await backend.close()
  await t.rejects(lastValueFrom(httpCall(`${backend.origin}/x`, { http2: true })(gatewayRequest())), {
    code: 'RXGATE_ERR_BACKEND_NETWORK',
  })
})

t.test('https: h2 forced, and ALPN with auto (h2, or HTTP/1.1 when that is all the server has)', async (t) => {
  const { key, cert } = selfSignedCertificate()
  const seen: Seen[] = []
  const handler: Handler = (req, res) => json(res, { version: req.httpVersion })
  const h2 = await start(http2.createSecureServer({ key, cert, allowHTTP1: true }, recording(handler, seen)), 'https')
  t.teardown(h2.close)
  const h1 = await start(
    https.createServer({ key, cert }, (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ version: req.httpVersion, agent: req.headers['user-agent'] }))
    }),
    'https',
  )
  t.teardown(h1.close)
  const tls = { ca: cert }
  const req = gatewayRequest()
  t.same(await lastValueFrom(httpCall(`${h2.origin}/forced`, { http2: true, tls })(req)), { version: '2.0' })
  t.same(await lastValueFrom(httpCall(`${h2.origin}/auto`, { http2: 'auto', tls })(req)), { version: '2.0' })
  t.same(await lastValueFrom(httpCall(`${h2.origin}/plain`, { tls })(req)), { version: '1.1' }, 'default: HTTP/1.1 on undici')
  t.same(await lastValueFrom(httpCall(`${h1.origin}/auto`, { http2: 'auto', tls })(req)), {
    version: '1.1',
    agent: `rxgate/${VERSION}`,
  })
  await t.rejects(lastValueFrom(httpCall(`${h2.origin}/untrusted`, { http2: true })(req)), {
    code: 'RXGATE_ERR_BACKEND_NETWORK',
  })
  await t.rejects(lastValueFrom(httpCall(`${h2.origin}/untrusted`)(req)), { code: 'RXGATE_ERR_BACKEND_NETWORK' })
})
