import { once } from 'node:events'
import { gzipSync, brotliCompressSync } from 'node:zlib'
import { lastValueFrom } from 'rxjs'
import t from 'tap'
import { closeAll, httpCall } from '../../lib/backend/index.js'
import type { BackendOptions } from '../../lib/backend/options.js'
import { ErrorCodes } from '../../lib/errors.js'
import { depthOf, nestedText } from '../helpers/deep.js'
import { failure, gatewayRequest, httpBackend, sendJson } from '../fixtures/backends.js'

t.teardown(closeAll)

t.test('small bodies, with a length or chunked, as JSON or text', async (t) => {
  const doc = { name: 'Zoë', tags: ['a', 'b'], nested: { ok: true } }
  const text = JSON.stringify(doc)
  const backend = await httpBackend((req, res) => {
    if (req.url === '/length') return sendJson(res, doc)
    res.writeHead(200, { 'content-type': 'application/json' })
    // chunked, split inside a multi-byte character
    const bytes = Buffer.from(text)
    let at = 0
    const next = () => {
      if (at >= bytes.length) return void res.end()
      res.write(bytes.subarray(at, at + 3))
      at += 3
      setImmediate(next)
    }
    next()
  })
  t.teardown(backend.close)
  t.same(await lastValueFrom(httpCall(`${backend.origin}/length`)(gatewayRequest())), doc)
  t.same(await lastValueFrom(httpCall(`${backend.origin}/chunked`)(gatewayRequest())), doc)
  t.equal(await lastValueFrom(httpCall(`${backend.origin}/chunked`, { encoding: 'string' })(gatewayRequest())), text)
  t.same(await lastValueFrom(httpCall(`${backend.origin}/chunked`, { allow: ['name', 'nested.ok'] })(gatewayRequest())), {
    name: 'Zoë',
    nested: { ok: true },
  })
  t.same(await lastValueFrom(httpCall(`${backend.origin}/length`, { deny: ['tags'] })(gatewayRequest())), {
    name: 'Zoë',
    nested: { ok: true },
  })
})

t.test('compressed bodies are decoded', async (t) => {
  const doc = { items: Array.from({ length: 100 }, (_, id) => ({ id })) }
  const backend = await httpBackend((req, res) => {
    const raw = Buffer.from(JSON.stringify(doc))
    if (req.url === '/gzip') res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(raw))
    else if (req.url === '/br') res.writeHead(200, { 'content-encoding': 'br' }).end(brotliCompressSync(raw))
    else if (req.url === '/broken') res.writeHead(200, { 'content-encoding': 'gzip' }).end(Buffer.from('not gzip at all'))
    else res.writeHead(200, { 'content-encoding': 'zstd' }).end(raw)
  })
  t.teardown(backend.close)
  const call = (path: string) => lastValueFrom(httpCall(`${backend.origin}${path}`)(gatewayRequest()))
  t.same(await call('/gzip'), doc)
  t.same(await call('/br'), doc)
  await t.rejects(call('/broken'), { code: 'RXGATE_ERR_BACKEND_DECODE' })
  await t.rejects(call('/zstd'), { code: 'RXGATE_ERR_BACKEND_DECODE', message: /zstd/ })
})

t.test('garbage JSON fails with BACKEND_DECODE, carrying the first bytes', async (t) => {
  const html = `<html><body>${'oops '.repeat(300)}</body></html>`
  const backend = await httpBackend((req, res) => {
    if (req.url === '/html') return void res.writeHead(200, { 'content-type': 'text/html' }).end(html)
    if (req.url === '/cut') return void res.writeHead(200).end('{"a": [1, 2')
    res.writeHead(200).end('')
  })
  t.teardown(backend.close)
  const call = (path: string) => lastValueFrom(httpCall(`${backend.origin}${path}`)(gatewayRequest()))
  const error = await failure(call('/html'))
  t.equal(error.code, 'RXGATE_ERR_BACKEND_DECODE')
  t.same(error.details, { url: `${backend.origin}/html`, status: 200, body: html.slice(0, 512) })
  await t.rejects(call('/cut'), { code: 'RXGATE_ERR_BACKEND_DECODE', details: { body: '{"a": [1, 2' } })
  await t.rejects(call('/empty'), { code: 'RXGATE_ERR_BACKEND_DECODE' })
})

t.test('a body over maxBodyBytes fails with BACKEND_TOO_LARGE and the request is aborted', async (t) => {
  let closed = 0
  const backend = await httpBackend((req, res) => {
    res.on('close', () => closed++)
    const piece = Buffer.alloc(64 * 1024, 0x20)
    if (req.url === '/declared') {
      res.writeHead(200, { 'content-length': 10 * 1024 * 1024 })
      res.write('[')
      return // never finishes: only the abort ends it
    }
    res.writeHead(200) // chunked, unknown length, endless
    res.write('[')
    const pump = () => {
      if (res.destroyed) return
      res.write(piece)
      setImmediate(pump)
    }
    pump()
  })
  t.teardown(backend.close)
  const call = (path: string) => lastValueFrom(httpCall(`${backend.origin}${path}`, { maxBodyBytes: 1024 * 1024 })(gatewayRequest()))
  await t.rejects(call('/declared'), {
    code: 'RXGATE_ERR_BACKEND_TOO_LARGE',
    details: { maxBodyBytes: 1024 * 1024, contentLength: 10 * 1024 * 1024 },
  })
  await t.rejects(call('/endless'), { code: 'RXGATE_ERR_BACKEND_TOO_LARGE', details: { maxBodyBytes: 1024 * 1024 } })
  const deadline = Date.now() + 2000
  while (closed < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
  t.equal(closed, 2, 'the backend saw both responses cut off')
})

t.test('a 50 MB JSON body through allow is streamed and correct', async (t) => {
  const count = 250_000
  const row = (i: number) =>
    JSON.stringify({ id: i, name: `user ${i}`, email: `user${i}@example.com`, bio: 'x'.repeat(120), tags: ['a', 'b'] })
  let sent = 0
  const backend = await httpBackend(async (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }) // chunked: length unknown
    res.write('{"total":' + count + ',"items":[')
    let batch = ''
    for (let i = 0; i < count; i++) {
      batch += (i ? ',' : '') + row(i)
      if (batch.length > 256 * 1024 || i === count - 1) {
        sent += Buffer.byteLength(batch)
        if (!res.write(batch)) await once(res, 'drain')
        batch = ''
      }
    }
    res.end('],"meta":{"page":1}}')
  })
  t.teardown(backend.close)
  const heapBefore = process.memoryUsage().heapUsed
  let peak = 0
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed - heapBefore)), 5)
  const result = (await lastValueFrom(
    httpCall(`${backend.origin}/users`, { allow: ['total', 'items.id'] })(gatewayRequest()),
  )) as { total: number; items: { id: number }[] }
  clearInterval(sampler)
  t.ok(sent > 50_000_000, `sent ${(sent / 1e6).toFixed(1)} MB`)
  t.equal(result.total, count)
  t.equal(result.items.length, count)
  t.same(Object.keys(result), ['total', 'items'])
  t.same(result.items[0], { id: 0 })
  t.same(result.items[count - 1], { id: count - 1 })
  t.ok(result.items.every((item, i) => item.id === i && Object.keys(item).length === 1))
  t.ok(peak < 120_000_000, `heap grew by at most ${(peak / 1e6).toFixed(0)} MB while decoding 50 MB`)
})

t.test('a document nested past maxNestingDepth fails with BACKEND_TOO_DEEP, naming the backend', async (t) => {
  let closed = 0
  const backend = await httpBackend((req, res) => {
    res.on('close', () => closed++)
    const [path, query] = (req.url ?? '').split('?')
    const depth = Number(new URLSearchParams(query).get('depth'))
    if (path === '/endless') {
      // 100 MB declared, sent as deep as it goes: refused at the first chunk past the limit.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 100 * 1024 * 1024 })
      const piece = Buffer.alloc(64 * 1024, '[')
      const pump = () => {
        if (res.destroyed) return
        res.write(piece)
        setImmediate(pump)
      }
      return pump()
    }
    const body = path === '/xml' ? `${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}` : nestedText(depth, path === '/objects' ? 'objects' : 'arrays')
    res.writeHead(200, { 'content-length': Buffer.byteLength(body) }).end(body)
  })
  t.teardown(backend.close)
  const call = (path: string, options: BackendOptions = {}) => lastValueFrom(httpCall(`${backend.origin}${path}`, options)(gatewayRequest()))

  for (const encoding of ['json', 'safejson'] as const) {
    for (const kind of ['arrays', 'objects']) {
      const value = await call(`/${kind}?depth=10000`, { encoding })
      t.equal(depthOf(value), encoding === 'safejson' && kind === 'arrays' ? 10_001 : 10_000, `${encoding}, ${kind}: 10,000 levels pass`)
      const error = await failure(call(`/${kind}?depth=10001`, { encoding }))
      t.equal(error.code, ErrorCodes.BACKEND_TOO_DEEP, `${encoding}, ${kind}: 10,001 levels do not`)
      t.match(error.message, `backend ${backend.origin}/${kind}?depth=10001 sent a document nested deeper than 10000 levels`)
      t.same(error.details, { url: `${backend.origin}/${kind}?depth=10001`, maxNestingDepth: 10_000 })
    }
  }
  await t.rejects(call('/arrays?depth=100000'), { code: ErrorCodes.BACKEND_TOO_DEEP }, '100,000 levels')
  await t.rejects(call('/arrays?depth=6', { maxNestingDepth: 5 }), { code: ErrorCodes.BACKEND_TOO_DEEP, details: { maxNestingDepth: 5 } }, 'a lower limit')
  t.equal(depthOf(await call('/arrays?depth=5', { maxNestingDepth: 5 })), 5)
  await t.rejects(call('/xml?depth=101', { encoding: 'xml' }), { code: ErrorCodes.BACKEND_TOO_DEEP, details: { maxNestingDepth: 100 } }, 'xml, past its 100 levels')
  await t.rejects(call('/xml?depth=4', { encoding: 'xml', maxNestingDepth: 3 }), { code: ErrorCodes.BACKEND_TOO_DEEP, details: { maxNestingDepth: 3 } })
  t.same(await call('/xml?depth=2', { encoding: 'xml' }), { a: { a: 'x' } })
  t.equal(await call('/arrays?depth=20000', { encoding: 'string' }), nestedText(20_000, 'arrays'), 'string: text has no depth')

  const closedBefore = closed
  await t.rejects(call('/endless'), { code: ErrorCodes.BACKEND_TOO_DEEP }, 'a 100 MB deep body streamed')
  const deadline = Date.now() + 2000
  while (closed === closedBefore && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
  t.equal(closed, closedBefore + 1, 'refused early: the backend saw its response cut off')
})
