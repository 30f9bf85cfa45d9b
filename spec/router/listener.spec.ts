import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import { constants } from 'node:http2'
import { request as httpsRequest } from 'node:https'
import { connect as tcpConnect } from 'node:net'
import t, { type Test } from 'tap'
import { createListener, type Listener, type ListenerOptions, type RequestListener } from '../../lib/router/listener.js'
import { makePki } from '../helpers/certificates.js'
import { h2Request, h2Session } from '../helpers/http2-client.js'

const pki = makePki(t)
const tls = { key: pki.server.keyPem, cert: pki.server.certPem }

async function start(t: Test, options: Partial<ListenerOptions>, handler: RequestListener): Promise<{ listener: Listener; port: number }> {
  const listener = createListener({ http: {}, ...options }, handler, (_error, socket) => socket?.destroy())
  const { port } = await listener.listen(0, '127.0.0.1')
  t.teardown(async () => {
    const stopped = listener.stop()
    listener.cut()
    await stopped
  })
  return { listener, port }
}

/** What a handler saw of a request, answered with it as JSON. */
function echo(req: IncomingMessage, res: ServerResponse) {
  const seen = JSON.stringify({ version: req.httpVersion, method: req.method, url: req.url, headers: req.headers })
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(seen) }).end(seen)
}

function https1(port: number, path: string): Promise<{ status: number; body: string; alpn: string | false }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, ca: pki.caPem, servername: 'localhost', agent: false }, (res) => {
      let body = ''
      res.on('data', (chunk: Buffer) => (body += chunk.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, alpn: (res.socket as { alpnProtocol?: string | false }).alpnProtocol ?? false }))
    })
    req.on('error', reject)
    req.end()
  })
}

t.test('TLS: HTTP/2 by ALPN, and HTTP/1.1 on the same port', async (t) => {
  const { port } = await start(t, { tls }, echo)
  const session = await h2Session(t, `https://localhost:${port}`, { ca: pki.caPem })
  t.equal(session.alpnProtocol, 'h2')
  const h2 = await h2Request(session, '/a?b=1', { 'x-custom': 'yes' })
  const seen = JSON.parse(h2.body) as { version: string; method: string; url: string; headers: Record<string, string> }
  t.equal(seen.version, '2.0')
  t.equal(seen.method, 'GET')
  t.equal(seen.url, '/a?b=1')
  t.same(Object.keys(seen.headers).filter((name) => name.startsWith(':')), [], 'no pseudo-headers among the headers')
  t.equal(seen.headers.host, `localhost:${port}`, 'Host is the :authority, as Go reads it')
  t.equal(seen.headers['x-custom'], 'yes')
  const h1 = await https1(port, '/c')
  t.equal(h1.status, 200)
  t.equal(JSON.parse(h1.body).version, '1.1', 'a client that offers no ALPN gets HTTP/1.1')
})

t.test('over HTTP/2, connection headers are dropped, not thrown on; destroyed says the stream is gone', async (t) => {
  let resolveClosed: (seen: { destroyed: boolean; finished: boolean }) => void
  const closed = new Promise<{ destroyed: boolean; finished: boolean }>((resolve) => (resolveClosed = resolve))
  const { port } = await start(t, { tls }, (req, res) => {
    if (req.url === '/hang') {
      t.equal(res.destroyed, false, 'not destroyed while the stream is open')
      res.once('close', () => resolveClosed({ destroyed: res.destroyed, finished: res.writableFinished }))
      return
    }
    res.setHeader('Connection', 'close')
    res.setHeader('X-Kept', 'yes')
    res.writeHead(200, { 'Keep-Alive': 'timeout=5', 'Transfer-Encoding': 'chunked', Upgrade: 'h2c', 'Proxy-Connection': 'x', TE: 'gzip', 'Content-Type': 'text/plain' })
    res.end('fine')
  })
  const session = await h2Session(t, `https://localhost:${port}`, { ca: pki.caPem })
  const answer = await h2Request(session, '/headers')
  t.equal(answer.status, 200)
  t.equal(answer.body, 'fine')
  t.equal(answer.headers['x-kept'], 'yes')
  t.equal(answer.headers['content-type'], 'text/plain')
  for (const name of ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te']) t.notOk(name in answer.headers, `no ${name}`)
  const hanging = session.request({ ':path': '/hang' })
  hanging.on('error', () => {})
  await new Promise((resolve) => setTimeout(resolve, 100))
  hanging.close(constants.NGHTTP2_CANCEL)
  t.same(await closed, { destroyed: true, finished: false }, 'a stream the client reset: closed, destroyed, unfinished')
})

t.test('h2c: cleartext HTTP/2 with prior knowledge and HTTP/1.1 on one port', async (t) => {
  const { port } = await start(t, { h2c: true }, echo)
  const session = await h2Session(t, `http://127.0.0.1:${port}`)
  const h2 = JSON.parse((await h2Request(session, '/h2', { 'x-n': '1' })).body) as { version: string; headers: Record<string, string> }
  t.equal(h2.version, '2.0')
  t.equal(h2.headers.host, `127.0.0.1:${port}`)
  const h1 = await new Promise<string>((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path: '/h1', agent: false }, (res) => {
      let body = ''
      res.on('data', (chunk: Buffer) => (body += chunk.toString()))
      res.on('end', () => resolve(body))
    }).on('error', reject).end()
  })
  t.equal(JSON.parse(h1).version, '1.1')
  // "P" could start the HTTP/2 preface: the first bytes are read until they tell
  const split = await new Promise<string>((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1', () => {
      socket.write('P')
      setTimeout(() => socket.write('OST /split HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'), 50)
    })
    let text = ''
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()))
    socket.on('end', () => resolve(text))
    socket.on('error', reject)
  })
  t.match(split, /^HTTP\/1\.1 200 OK/)
  t.match(split, /"method":"POST","url":"\/split"/)
})

t.test('h2c: a connection that sends nothing is closed after the header wait', async (t) => {
  const { port } = await start(t, { h2c: true, http: { headersTimeout: 300 } }, echo)
  const started = Date.now()
  await new Promise<void>((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1')
    socket.on('error', () => {})
    socket.on('close', () => resolve())
  })
  t.ok(Date.now() - started >= 250, 'closed by the server once the wait passed')
})

for (const mode of ['tls', 'h2c'] as const) {
  t.test(`${mode}: stop() sends GOAWAY and lets the stream in flight finish; cut() ends the rest`, async (t) => {
    let answer: (() => void) | undefined
    const { listener, port } = await start(t, mode === 'tls' ? { tls } : { h2c: true }, (_req, res) => {
      answer = () => res.writeHead(200).end('late')
    })
    const session = await h2Session(t, mode === 'tls' ? `https://localhost:${port}` : `http://127.0.0.1:${port}`, { ca: pki.caPem })
    const goaway = new Promise<void>((resolve) => session.once('goaway', () => resolve()))
    const inFlight = h2Request(session, '/slow')
    while (!answer) await new Promise((resolve) => setTimeout(resolve, 10))
    let stopped = false
    const stopping = listener.stop().then(() => (stopped = true))
    await goaway
    t.pass('the client was told to go away')
    t.equal(stopped, false, 'not stopped while a stream is in flight')
    answer()
    t.same(await inFlight, { status: 200, headers: (await inFlight).headers, body: 'late' }, 'the stream in flight finished')
    await stopping
    t.equal(stopped, true, 'stopped once the last stream was done')
  })
}

t.test('the idle time closes an idle HTTP/2 connection, not one with a stream waiting', async (t) => {
  let answer: (() => void) | undefined
  const { port } = await start(t, { tls, http: { keepAliveTimeout: 300 } }, (req, res) => {
    if (req.url === '/slow') answer = () => res.writeHead(200).end('slow')
    else res.writeHead(200).end('quick')
  })
  const idle = await h2Session(t, `https://localhost:${port}`, { ca: pki.caPem })
  await h2Request(idle, '/quick')
  const busy = await h2Session(t, `https://localhost:${port}`, { ca: pki.caPem })
  let busyClosed = false
  busy.once('goaway', () => (busyClosed = true))
  const slow = h2Request(busy, '/slow')
  await new Promise<void>((resolve) => idle.once('goaway', () => resolve()))
  t.pass('the idle connection was told to go away')
  await new Promise((resolve) => setTimeout(resolve, 400))
  t.equal(busyClosed, false, 'the connection with a stream waiting was not')
  answer!()
  t.equal((await slow).body, 'slow')
})
