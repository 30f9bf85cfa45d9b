import { once } from 'node:events'
import http from 'node:http'
import http2 from 'node:http2'
import type { AddressInfo } from 'node:net'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { gzipSync } from 'node:zlib'
import { firstValueFrom, lastValueFrom, Subject, toArray } from 'rxjs'
import t, { type Test } from 'tap'
import { closeAll, httpCall, type RawResponse } from '../../lib/backend/index.js'
import { renderFor } from '../../lib/codec/render.js'
import { writeReply } from '../../lib/router/reply.js'
import { failure, gatewayRequest, httpBackend } from '../fixtures/backends.js'

t.teardown(closeAll)

// A collectable heap makes the memory check exact: garbage not yet collected is not memory held.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const held = () => {
  const usage = process.memoryUsage()
  return usage.heapUsed + usage.arrayBuffers
}
const mib = (bytes: number) => (bytes / 1048576).toFixed(1)

const noop = (url: string, options = {}) => httpCall(url, { encoding: 'no-op', ...options })

async function text(raw: RawResponse): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of raw.body) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** A front server that answers every request with `call`'s raw answer, through renderFor(no-op) and writeReply. */
async function front(t: Test, call: ReturnType<typeof noop>): Promise<number> {
  const render = renderFor('no-op')
  const server = http.createServer(async (req, res) => {
    const request = gatewayRequest()
    writeReply(res, render(await firstValueFrom(call(request)), request))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  return (server.address() as AddressInfo).port
}

/** GET / on the front server at `port`, once its head has arrived. */
function get(port: number): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => http.get(`http://127.0.0.1:${port}/`, resolve).on('error', reject))
}

t.test('any status is an answer: a 404 comes through untouched, headers and body', async (t) => {
  const page = '<h1>404 page not found</h1>\n'
  const backend = await httpBackend((_req, res) => {
    res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Path=/'])
    res.writeHead(404, { 'content-type': 'text/html', 'x-backend': 'users', 'content-length': Buffer.byteLength(page) })
    res.end(page)
  })
  t.teardown(backend.close)
  const values = await lastValueFrom(noop(`${backend.origin}/missing`)(gatewayRequest()).pipe(toArray()))
  t.equal(values.length, 1, 'one value, then complete')
  const raw = values[0]!
  t.equal(raw.status, 404)
  t.match(raw.headers, { 'content-type': 'text/html', 'x-backend': 'users', 'set-cookie': ['a=1; Path=/', 'b=2; Path=/'] })
  t.equal((await text(raw)).toString(), page)
})

t.test('through renderFor(no-op) and writeReply, the client gets the backend answer as it was', async (t) => {
  const page = 'not here'
  const backend = await httpBackend((_req, res) => {
    res.setHeader('set-cookie', ['a=1', 'b=2'])
    res.writeHead(404, { 'content-type': 'text/plain', 'x-backend': 'users', connection: 'keep-alive, x-hop', 'x-hop': 'no', 'keep-alive': 'timeout=5' })
    res.end(page)
  })
  t.teardown(backend.close)
  const answer = await get(await front(t, noop(`${backend.origin}/missing`)))
  const chunks: Buffer[] = []
  for await (const chunk of answer) chunks.push(chunk as Buffer)
  t.equal(answer.statusCode, 404)
  t.equal(Buffer.concat(chunks).toString(), page)
  t.equal(answer.headers['x-backend'], 'users')
  t.same(answer.headers['set-cookie'], ['a=1', 'b=2'])
  t.equal(answer.headers['content-type'], 'text/plain')
  t.equal(answer.headers['x-hop'], undefined, 'a header the backend named in Connection is not passed on')
  t.equal(answer.headers['x-rxgate-completed'], 'false', 'as KrakenD marks every no-op answer')
})

t.test('compressed bytes stay compressed: the client negotiates, not the gateway', async (t) => {
  const zipped = gzipSync(Buffer.from('{"hello":"world"}'))
  const backend = await httpBackend((req, res) => {
    if (req.headers['accept-encoding']?.includes('gzip')) res.writeHead(200, { 'content-encoding': 'gzip' }).end(zipped)
    else res.writeHead(200).end('{"hello":"world"}')
  })
  t.teardown(backend.close)
  const call = noop(`${backend.origin}/x`)
  const zippedAnswer = await lastValueFrom(call(gatewayRequest({ headers: { 'accept-encoding': 'gzip' } })))
  t.equal(zippedAnswer.headers['content-encoding'], 'gzip')
  t.same(await text(zippedAnswer), zipped, 'the very bytes the backend sent')
  const plain = await lastValueFrom(call(gatewayRequest()))
  t.equal((await text(plain)).toString(), '{"hello":"world"}')
  t.equal(backend.seen[0]!.headers['accept-encoding'], 'gzip')
  t.equal(backend.seen[1]!.headers['accept-encoding'], undefined, 'no client accept-encoding: identity')
})

/** A backend sending `size` bytes in 64 KiB blocks as fast as its client reads them; `sent()` says how far it got. */
async function bigBackend(t: Test, size: number) {
  const block = Buffer.alloc(64 * 1024, 'x')
  let sent = 0
  const backend = await httpBackend((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size })
    const write = () => {
      while (sent < size) {
        sent += block.length
        if (!res.write(block)) return void res.once('drain', write)
      }
      res.end()
    }
    write()
  })
  t.teardown(backend.close)
  return { backend, sent: () => sent }
}

t.test('a 20 MB body streams through with bounded buffering, no size limit', async (t) => {
  const size = 20 * 1024 * 1024
  const { backend, sent } = await bigBackend(t, size)
  gc()
  await new Promise((resolve) => setTimeout(resolve, 20))
  gc()
  const before = held()
  const raw = await lastValueFrom(noop(`${backend.origin}/big`, { maxBodyBytes: 1024 })(gatewayRequest()))
  t.ok(sent() < size, 'the answer came before the backend finished sending')
  let received = 0
  let lag = 0
  let peak = 0
  const slow = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _encoding, done) {
      received += chunk.length
      lag = Math.max(lag, sent() - received)
      if (received % (4 * 1024 * 1024) !== 0) return void setImmediate(done)
      // Every 4 MiB: what is still held once garbage is collected. V8 frees buffers' memory after
      // the collection, concurrently: a pause and a second collection let it finish.
      gc()
      setTimeout(() => {
        gc()
        peak = Math.max(peak, held() - before)
        done()
      }, 20)
    },
  })
  await pipeline(raw.body, slow)
  t.equal(received, size, 'every byte, past maxBodyBytes (not applied to no-op)')
  t.ok(lag < 8 * 1024 * 1024, `the backend is held back by the reader: at most ${mib(lag)} MiB in flight`)
  t.ok(peak < 16 * 1024 * 1024, `memory stays flat: at most ${mib(peak)} MiB more held while 20 MiB streamed`)
})

t.test('unsubscribing before the head aborts the request', async (t) => {
  const arrived = new Subject<http.ServerResponse>()
  const backend = await httpBackend((_req, res) => arrived.next(res)) // never answers
  t.teardown(backend.close)
  const subscription = noop(`${backend.origin}/hang`)(gatewayRequest()).subscribe({
    next: () => t.fail('no answer expected'),
    error: (error: unknown) => t.fail(`no error after unsubscribe: ${String(error)}`),
  })
  const res = await firstValueFrom(arrived)
  const closed = once(res, 'close')
  subscription.unsubscribe()
  await closed
  t.notOk(res.writableFinished, 'the backend saw the connection close')
})

/** A backend writing a line every 5 ms, never ending; `closed` tells whether it had finished when its connection closed. */
async function endlessBackend(t: Test) {
  const closed = new Subject<boolean>()
  const backend = await httpBackend((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' })
    const timer = setInterval(() => res.write('tick\n'), 5)
    res.once('close', () => {
      clearInterval(timer)
      closed.next(res.writableFinished)
    })
  })
  t.teardown(backend.close)
  return { backend, closed }
}

t.test('destroying the body before its end aborts the exchange (HTTP/1.1)', async (t) => {
  const { backend, closed } = await endlessBackend(t)
  const raw = await lastValueFrom(noop(`${backend.origin}/endless`)(gatewayRequest()))
  await once(raw.body, 'data')
  const wasClosed = firstValueFrom(closed)
  raw.body.destroy()
  t.equal(await wasClosed, false, 'the backend saw the connection close mid-body')
})

t.test('destroying the body before its end resets the HTTP/2 stream', async (t) => {
  const server = http2.createServer()
  const sessions = new Set<http2.ServerHttp2Session>()
  server.on('session', (session) => sessions.add(session))
  const reset = new Subject<number>()
  server.on('stream', (stream) => {
    stream.on('error', () => {}) // the reset, seen below through rstCode
    stream.respond({ ':status': 200, 'content-type': 'text/plain' })
    const timer = setInterval(() => stream.write('tick\n'), 5)
    stream.once('close', () => {
      clearInterval(timer)
      reset.next(stream.rstCode)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { for (const session of sessions) session.destroy(); server.close(() => resolve()) }))
  const { port } = server.address() as AddressInfo
  const raw = await lastValueFrom(noop(`http://127.0.0.1:${port}/endless`, { http2: true })(gatewayRequest()))
  t.equal(raw.status, 200)
  await once(raw.body, 'data')
  const code = firstValueFrom(reset)
  raw.body.destroy()
  t.not(await code, http2.constants.NGHTTP2_NO_ERROR, 'the stream was reset with an error code, so the server stops')
})

t.test('redirects are still followed, as KrakenD does; network failures still fail', async (t) => {
  const backend = await httpBackend((req, res) => {
    if (req.url === '/old') return void res.writeHead(302, { location: '/new' }).end()
    if (req.url === '/moved') return void res.writeHead(301, { location: '/new' }).end()
    res.writeHead(200).end(`at ${req.url}`)
  })
  t.teardown(backend.close)
  const followed = await lastValueFrom(noop(`${backend.origin}/old`)(gatewayRequest()))
  t.equal(followed.status, 200)
  t.equal((await text(followed)).toString(), 'at /new')
  const kept = await lastValueFrom(noop(`${backend.origin}/moved`, { successStatus: [200, 301] })(gatewayRequest()))
  t.equal(kept.status, 301, 'a redirect listed in successStatus is the answer')
  t.equal(kept.headers.location, '/new')
  await text(kept)
  const refused = await failure(lastValueFrom(noop('http://127.0.0.1:1/x')(gatewayRequest())))
  t.equal(refused.code, 'RXGATE_ERR_BACKEND_NETWORK')
})

t.test('written to the client as it arrives: a slow client holds the backend back', async (t) => {
  const size = 32 * 1024 * 1024
  const { backend, sent } = await bigBackend(t, size)
  const port = await front(t, noop(`${backend.origin}/big`))
  const answer = await get(port)
  let received = 0
  let lag = 0
  const slow = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _encoding, done) {
      received += chunk.length
      lag = Math.max(lag, sent() - received)
      setTimeout(done, received % (1024 * 1024) < chunk.length ? 5 : 0)
    },
  })
  await pipeline(answer, slow)
  t.equal(received, size, 'every byte')
  t.ok(lag < 12 * 1024 * 1024, `at most ${mib(lag)} MiB in flight between the backend and the slow client`)
})

t.test('written to the client as it arrives: the client going away aborts the backend', async (t) => {
  const { backend, closed } = await endlessBackend(t)
  const port = await front(t, noop(`${backend.origin}/endless`))
  const answer = await get(port)
  await once(answer, 'data')
  const wasClosed = firstValueFrom(closed)
  answer.destroy()
  t.equal(await wasClosed, false, 'the backend saw its connection close mid-body')
})
