import type { IncomingMessage, ServerResponse } from 'node:http'
import { constants } from 'node:http2'
import t from 'tap'
import { makePki } from '../../helpers/certificates.js'
import { json, startBackends } from '../../helpers/http-backend.js'
import { curl, h2Request, h2Session } from '../../helpers/http2-client.js'
import { runGateway } from '../../helpers/run-cli.js'

// Everything a client gets over HTTP/1.1 it gets over HTTP/2: streamed bodies, cancellation,
// the graceful close, the access log, the server middlewares.

const pki = makePki(t)
const tls = { keys: [{ public_key: pki.server.cert, private_key: pki.server.key }] }

function httpsOrigin(base: string): string {
  return `https://localhost:${new URL(base).port}`
}

/** Answers with the body it was sent and the client IP it was told, as JSON. */
function echoBody(req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    const body = JSON.stringify({ got: JSON.parse(Buffer.concat(chunks).toString() || 'null'), forwardedFor: req.headers['x-forwarded-for'] })
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(body)
  })
}

t.test('a no-op body streams through over HTTP/2: the first bytes arrive before the backend has finished', async (t) => {
  let release: () => void = () => {}
  const released = new Promise<void>((resolve) => (release = resolve))
  const [feed] = await startBackends(t, (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' })
    res.write('first part;')
    void released.then(() => res.end('second part'))
  })
  const { base } = await runGateway(t, {
    tls,
    endpoints: [{ endpoint: '/feed', output_encoding: 'no-op', backend: [{ host: [feed!.url], url_pattern: '/feed', encoding: 'no-op' }] }],
  })
  const session = await h2Session(t, httpsOrigin(base), { ca: pki.caPem })
  const req = session.request({ ':path': '/feed' })
  const status = new Promise<number>((resolve) => req.once('response', (headers) => resolve(Number(headers[':status']))))
  const first = await new Promise<string>((resolve) => req.once('data', (chunk: Buffer) => resolve(chunk.toString())))
  t.equal(await status, 200)
  t.equal(first, 'first part;', 'the first part, while the backend holds the rest')
  let rest = ''
  req.on('data', (chunk: Buffer) => (rest += chunk.toString()))
  release()
  await new Promise((resolve) => req.once('end', resolve))
  t.equal(rest, 'second part')
})

t.test('a client that resets its stream cancels the backend call; its connection goes on serving', async (t) => {
  const [hanging, quick] = await startBackends(t, () => {}, json({ quick: true }))
  const { base, gateway } = await runGateway(t, {
    tls,
    endpoints: [
      { endpoint: '/hanging', timeout: '30s', backend: [{ host: [hanging!.url], url_pattern: '/' }] },
      { endpoint: '/quick', backend: [{ host: [quick!.url], url_pattern: '/' }] },
    ],
  })
  const session = await h2Session(t, httpsOrigin(base), { ca: pki.caPem })
  const req = session.request({ ':path': '/hanging' })
  req.on('error', () => {})
  while (hanging!.seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
  req.close(constants.NGHTTP2_CANCEL)
  t.equal(await hanging!.seen[0]!.aborted, true, 'the backend call was cancelled')
  await gateway.waitFor('"path":"/hanging"')
  t.match(gateway.output(), /"method":"GET","path":"\/hanging".*"aborted":true/, 'the access log says the answer was cut short')
  t.same((await h2Request(session, '/quick')).body, '{"quick":true}', 'the same connection serves on')
})

t.test('graceful close over HTTP/2: GOAWAY, the stream in flight finishes, the process exits 0', async (t) => {
  const [slow] = await startBackends(t, json({ slow: true }, 1500))
  const { base, gateway } = await runGateway(t, { tls, endpoints: [{ endpoint: '/slow', timeout: '10s', backend: [{ host: [slow!.url], url_pattern: '/' }] }] })
  const session = await h2Session(t, httpsOrigin(base), { ca: pki.caPem })
  const goaway = new Promise<void>((resolve) => session.once('goaway', () => resolve()))
  const inFlight = h2Request(session, '/slow')
  while (slow!.seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
  gateway.child.kill('SIGTERM')
  await goaway
  t.pass('the client was told to go away')
  await t.rejects(h2Request(session, '/slow'), 'no new stream on a connection told to go away')
  const answer = await inFlight
  t.equal(answer.status, 200)
  t.equal(answer.headers['x-rxgate-completed'], 'true')
  t.equal(answer.body, '{"slow":true}', 'the stream in flight finished, whole')
  t.equal(await gateway.exited, 0)
})

t.test('the access log and the client IP, over HTTP/2', async (t) => {
  const [echo] = await startBackends(t, echoBody)
  const { base, gateway } = await runGateway(t, { tls, endpoints: [{ endpoint: '/echo', method: 'POST', backend: [{ host: [echo!.url], url_pattern: '/' }] }] })
  const session = await h2Session(t, httpsOrigin(base), { ca: pki.caPem })
  const answer = await h2Request(session, '/echo', { ':method': 'POST', 'content-type': 'application/json' }, '{"a":1}')
  t.same(JSON.parse(answer.body), { got: { a: 1 }, forwardedFor: '127.0.0.1' }, 'the body read over HTTP/2 reached the backend, with the client IP')
  await gateway.waitFor('"path":"/echo"')
  t.match(gateway.output(), /"method":"POST","path":"\/echo","ip":"127\.0\.0\.1","status":200,"completed":true,"aborted":false/)
})

t.test('server middlewares over HTTP/2: CORS, and security/http reading the host from :authority', async (t) => {
  const [users] = await startBackends(t, json({ name: 'Ada' }))
  const { base } = await runGateway(t, {
    tls,
    extra_config: {
      'security/cors': { allow_origins: ['https://app.example'], allow_methods: ['GET'] },
      'security/http': { allowed_hosts: ['localhost:\\d+'], allowed_hosts_are_regex: true, sts_seconds: 600, frame_deny: true },
    },
    endpoints: [{ endpoint: '/users/{id}', backend: [{ host: [users!.url], url_pattern: '/users/{id}' }] }],
  })
  const session = await h2Session(t, httpsOrigin(base), { ca: pki.caPem })
  const answer = await h2Request(session, '/users/1', { origin: 'https://app.example' })
  t.equal(answer.status, 200)
  t.equal(answer.headers['access-control-allow-origin'], 'https://app.example')
  t.equal(answer.headers['strict-transport-security'], 'max-age=600', 'HTTPS is seen through HTTP/2')
  t.equal(answer.headers['x-frame-options'], 'DENY')
  const preflight = await h2Request(session, '/users/1', { ':method': 'OPTIONS', origin: 'https://app.example', 'access-control-request-method': 'GET' })
  t.equal(preflight.status, 204)
  t.equal(preflight.headers['access-control-allow-methods'], 'GET')
  const otherHost = await h2Request(session, '/users/1', { ':authority': 'evil.example' })
  t.equal(otherHost.status, 500, 'a host not allowed is refused, as over HTTP/1.1')
  t.match(otherHost.body, /RXGATE_ERR_BAD_HOST/)
})

t.test('use_h2c: cleartext HTTP/2 with prior knowledge, and HTTP/1.1, on one port', async (t) => {
  const [echo, users] = await startBackends(t, echoBody, json({ name: 'Ada' }))
  const { base, gateway } = await runGateway(t, {
    use_h2c: true,
    endpoints: [
      { endpoint: '/echo', method: 'POST', backend: [{ host: [echo!.url], url_pattern: '/' }] },
      { endpoint: '/users/{id}', backend: [{ host: [users!.url], url_pattern: '/users/{id}' }] },
    ],
  })
  t.match(gateway.output(), /"h2c":true.*"msg":"rxgate listening"/)
  const h2 = await curl('--http2-prior-knowledge', '-w', '\\n%{http_version}', `${base}/users/1`)
  t.same(h2.stdout.split('\n'), ['{"name":"Ada"}', '2'])
  const h1 = await curl('-w', '\\n%{http_version}', `${base}/users/2`)
  t.same(h1.stdout.split('\n'), ['{"name":"Ada"}', '1.1'])
  const upgrade = await curl('--http2', '-w', '\\n%{http_version}', `${base}/users/3`)
  t.same(upgrade.stdout.split('\n'), ['{"name":"Ada"}', '1.1'], 'Upgrade: h2c is answered in HTTP/1.1')
  const session = await h2Session(t, base)
  const posted = await h2Request(session, '/echo', { ':method': 'POST', 'content-type': 'application/json' }, '{"b":2}')
  t.same(JSON.parse(posted.body), { got: { b: 2 }, forwardedFor: '127.0.0.1' })
})
