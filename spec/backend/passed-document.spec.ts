import type { ServerResponse } from 'node:http'
import { gzipSync } from 'node:zlib'
import { firstValueFrom, tap, type Observable } from 'rxjs'
import t, { type Test } from 'tap'
import { closeAll, httpCall } from '../../lib/backend/index.js'
import { PassedDocument } from '../../lib/backend/passed-document.js'
import { CheckedJson } from '../../lib/codec/checked-json.js'
import { ErrorCodes, RxgateError } from '../../lib/errors.js'
import { gatewayRequest, httpBackend } from '../fixtures/backends.js'

t.teardown(closeAll)

const THRESHOLD = 64 * 1024

/** A JSON document of about `bytes` bytes: a page of records. */
function page(bytes: number, tail = ''): Buffer {
  const items: string[] = []
  let size = 0
  for (let i = 0; size < bytes; i++) {
    const item = JSON.stringify({ id: i, name: `item ${i} é`, tags: ['a', 'b'], nested: { ok: i % 2 === 0 } })
    items.push(item)
    size += item.length + 1
  }
  return Buffer.from(`{"items":[${items.join(',')}]${tail}}`)
}

interface Served {
  readonly origin: string
  /** Resolves true when the gateway closed the connection before the backend finished its answer. */
  aborted(): Promise<boolean>
  /** Bytes the backend managed to hand to its socket so far. */
  written(): number
}

/** A backend answering `body`: with its length, or chunked; gzipped when asked; written in 16 KiB pieces, minding backpressure. */
async function serve(t: Test, body: Buffer, how: { chunked?: boolean; gzip?: boolean; stopAfter?: number } = {}): Promise<Served> {
  let aborted: Promise<boolean> = Promise.resolve(false)
  let written = 0
  const backend = await httpBackend((_req, res) => {
    aborted = new Promise((resolve) => res.once('close', () => resolve(!res.writableFinished)))
    const bytes = how.gzip ? gzipSync(body) : body
    const headers: Record<string, string | number> = { 'content-type': 'application/json' }
    if (how.gzip) headers['content-encoding'] = 'gzip'
    if (!how.chunked) headers['content-length'] = bytes.length
    res.writeHead(200, headers)
    pump(res, bytes, how.stopAfter, (n) => (written = n))
  })
  t.teardown(() => backend.close())
  return { origin: backend.origin, aborted: () => aborted, written: () => written }
}

function pump(res: ServerResponse, bytes: Buffer, stopAfter: number | undefined, progress: (written: number) => void): void {
  let at = 0
  const next = () => {
    while (at < bytes.length) {
      if (stopAfter !== undefined && at >= stopAfter) return void res.destroy()
      const more = res.write(bytes.subarray(at, (at += 16 * 1024)))
      progress(at)
      if (!more) return void res.once('drain', next)
    }
    res.end()
  }
  res.once('close', () => res.off('drain', next))
  next()
}

const call = (origin: string, options: Record<string, unknown> = {}) =>
  httpCall(`${origin}/doc`, { verbatim: true, streamVerbatimAbove: THRESHOLD, ...options })

/**
 * The call's value; a passed document is handed to `take` while it is delivered, as the renderer
 * takes it (one nobody took is let go when the call ends).
 */
function valueOf(value$: Observable<unknown>, take: (document: PassedDocument) => void = () => {}): Promise<unknown> {
  return firstValueFrom(value$.pipe(tap((value) => value instanceof PassedDocument && take(value))))
}

/** The call's passed document, read to its end: its bytes, or the error that ended it. */
async function passedBytes(value$: Observable<unknown>): Promise<{ bytes: Buffer; error?: unknown }> {
  let read: Promise<{ bytes: Buffer; error?: unknown }> | undefined
  const value = await valueOf(value$, (document) => (read = readAll(document)))
  if (read === undefined) throw new Error(`not a passed document: ${String(value)}`)
  return read
}

/** Reads a passed document to its end: its bytes, or the error that ended it. */
function readAll(document: PassedDocument): Promise<{ bytes: Buffer; error?: unknown }> {
  const chunks: Buffer[] = []
  return new Promise((resolve) =>
    document.read({
      data: (chunk) => void chunks.push(chunk),
      end: () => resolve({ bytes: Buffer.concat(chunks) }),
      error: (error) => resolve({ bytes: Buffer.concat(chunks), error }),
    }),
  )
}

const codeOf = (error: unknown) => (error instanceof RxgateError ? error.code : String(error))

t.test('a body within the threshold is checked, not parsed: its bytes, as sent, without a byte order mark', async (t) => {
  for (const chunked of [false, true]) {
    const body = page(THRESHOLD - 1000)
    for (const sent of [body, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body])]) {
      const backend = await serve(t, sent, { chunked })
      const value = await valueOf(call(backend.origin)(gatewayRequest()))
      t.ok(value instanceof CheckedJson, chunked ? 'of unknown length' : 'declared')
      t.ok((value as CheckedJson).bytes.equals(body), `${sent.length} bytes sent, ${body.length} kept`)
    }
  }
})

t.test('a short body that is not one whole JSON document fails the call as the parse did', async (t) => {
  for (const [body, code, options] of [
    [Buffer.from('{"items":[1,2,oops]}'), ErrorCodes.BACKEND_DECODE, {}],
    [Buffer.from('{"a":1}{"b":2}'), ErrorCodes.BACKEND_DECODE, {}],
    [Buffer.from('{"a":'), ErrorCodes.BACKEND_DECODE, {}],
    [Buffer.from(''), ErrorCodes.BACKEND_DECODE, {}],
    [Buffer.from(`{"deep":${'['.repeat(200)}${']'.repeat(200)}}`), ErrorCodes.BACKEND_TOO_DEEP, { maxNestingDepth: 100 }],
  ] as const) {
    for (const chunked of [false, true]) {
      const backend = await serve(t, body, { chunked })
      const error = await valueOf(call(backend.origin, options)(gatewayRequest())).catch((caught: unknown) => caught)
      t.equal(codeOf(error), code, `${body.toString().slice(0, 30)}${chunked ? ', chunked' : ''}`)
    }
  }
})

t.test('a longer body passes as a document: the same bytes, declared or chunked, plain or gzipped', async (t) => {
  const body = page(3 * 1024 * 1024)
  for (const how of [{}, { chunked: true }, { gzip: true }]) {
    const backend = await serve(t, body, how)
    const { bytes, error } = await passedBytes(call(backend.origin)(gatewayRequest()))
    t.equal(error, undefined, JSON.stringify(how))
    t.ok(bytes.equals(body), `${bytes.length} bytes, as sent`)
  }
})

t.test('a leading byte order mark is not passed on, as the buffered path does not send it', async (t) => {
  const body = page(200 * 1024)
  const backend = await serve(t, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]))
  const { bytes } = await passedBytes(call(backend.origin)(gatewayRequest()))
  t.ok(bytes.equals(body))
})

t.test('a fault within the first threshold bytes fails the call itself: nothing has passed yet', async (t) => {
  const garbage = Buffer.concat([Buffer.from('{"items":[1,2,oops'), page(200 * 1024)])
  const deep = Buffer.from(`{"deep":${'['.repeat(200)}${']'.repeat(200)},"pad":"${'x'.repeat(200 * 1024)}"}`)
  for (const [body, code, options] of [
    [garbage, ErrorCodes.BACKEND_DECODE, {}],
    [deep, ErrorCodes.BACKEND_TOO_DEEP, { maxNestingDepth: 100 }],
  ] as const) {
    const backend = await serve(t, body)
    const error = await valueOf(call(backend.origin, options)(gatewayRequest())).catch((caught: unknown) => caught)
    t.equal(codeOf(error), code)
  }
})

t.test('a fault further on ends the document with an error naming the backend; the backend is cut off', async (t) => {
  const garbage = page(1024 * 1024, '} trailing garbage')
  const deepLater = Buffer.from(`${page(512 * 1024).subarray(0, -1)},"deep":${'['.repeat(200)}1${']'.repeat(200)},"pad":"${'x'.repeat(4 * 1024 * 1024)}"}`)
  for (const [body, code, options] of [
    [garbage, ErrorCodes.BACKEND_DECODE, {}],
    [deepLater, ErrorCodes.BACKEND_TOO_DEEP, { maxNestingDepth: 100 }],
    [page(8 * 1024 * 1024), ErrorCodes.BACKEND_TOO_LARGE, { maxBodyBytes: 1024 * 1024 }],
  ] as const) {
    const backend = await serve(t, body, { chunked: true })
    const { bytes, error } = await passedBytes(call(backend.origin, options)(gatewayRequest()))
    t.equal(codeOf(error), code, code)
    t.match((error as RxgateError).message, backend.origin, 'the message names the backend')
    t.ok(bytes.length < body.length, `cut after ${bytes.length} of ${body.length} bytes`)
    if (code !== ErrorCodes.BACKEND_DECODE) t.equal(await backend.aborted(), true, 'the backend saw its connection closed')
  }
})

t.test('a body cut by the backend ends the document with BACKEND_NETWORK', async (t) => {
  const backend = await serve(t, page(2 * 1024 * 1024), { stopAfter: 512 * 1024 })
  const { error } = await passedBytes(call(backend.origin)(gatewayRequest()))
  t.equal(codeOf(error), ErrorCodes.BACKEND_NETWORK)
})

t.test('a reader that asks to wait holds the backend: it does not send the whole body meanwhile', async (t) => {
  const body = page(40 * 1024 * 1024)
  const backend = await serve(t, body)
  const chunks: Buffer[] = []
  let ended = false
  let document: PassedDocument | undefined
  await valueOf(call(backend.origin)(gatewayRequest()), (passed) => {
    document = passed
    passed.read({
      data: (chunk) => {
        chunks.push(chunk)
        return false
      },
      end: () => (ended = true),
      error: () => {},
    })
  })
  await new Promise((resolve) => setTimeout(resolve, 500))
  t.ok(backend.written() < 16 * 1024 * 1024, `the backend wrote ${(backend.written() / 1048576).toFixed(1)} MiB of 40 while held`)
  t.equal(ended, false)
  while (!ended) {
    document!.resume()
    await new Promise((resolve) => setImmediate(resolve))
  }
  t.ok(Buffer.concat(chunks).equals(body), 'and all of it once resumed')
})

t.test('aborting the document, or letting it go untaken, closes the backend connection', async (t) => {
  const body = page(40 * 1024 * 1024)
  const first = await serve(t, body)
  await valueOf(call(first.origin)(gatewayRequest()), (document) => {
    document.read({ data: () => false, end: () => {}, error: () => {} })
    setTimeout(() => document.abort(), 50)
  })
  t.equal(await first.aborted(), true, 'aborted by its reader')

  const second = await serve(t, body)
  // the call delivers and ends: a document nobody took while it was delivered is let go
  t.type(await firstValueFrom(call(second.origin)(gatewayRequest())), PassedDocument)
  t.equal(await second.aborted(), true, 'let go untaken')
})
