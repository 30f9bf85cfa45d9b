import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { get, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import t, { type Test } from 'tap'
import { startBackends, type TestBackend } from '../../helpers/http-backend.js'
import { runGateway } from '../../helpers/run-cli.js'

// An endpoint with one `json` backend and nothing to change its document passes a long document
// on as it arrives, checked on the way: the same bytes, memory flat, and a document found invalid
// after its answer started is cut, never ended cleanly.

const MB = 1024 * 1024

/** A JSON document of about `bytes` bytes (a page of records), with `tail` written before its last brace. */
function page(bytes: number, tail = ''): Buffer {
  const items: string[] = []
  let size = 0
  for (let i = 0; size < bytes; i++) {
    const item = JSON.stringify({ id: i, sku: `SKU-${100000 + i}`, title: `Catalogue item ${i}, é`, price: i * 0.25, tags: ['a', 'b'] })
    items.push(item)
    size += item.length + 1
  }
  return Buffer.from(`{"items":[${items.join(',')}]${tail}}`)
}

/** Serves `body` in 64 KiB writes minding backpressure, declared or chunked; `closed` hears whether each answer was cut before its end. */
function serving(body: Buffer, how: { chunked?: boolean } = {}, closed?: (cut: boolean) => void) {
  return (_req: IncomingMessage, res: ServerResponse) => {
    res.once('close', () => closed?.(!res.writableFinished))
    res.writeHead(200, { 'content-type': 'application/json', ...(how.chunked ? {} : { 'content-length': body.length }) })
    let at = 0
    const pump = () => {
      while (at < body.length) if (!res.write(body.subarray(at, (at += 64 * 1024)))) return void res.once('drain', pump)
      res.end()
    }
    pump()
  }
}

interface Answer {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly bytes: Buffer
  /** Whether the answer ended cleanly (its last chunk came), rather than being cut. */
  readonly ended: boolean
}

/** GETs `url` and reads the whole answer, cut or not. */
function fetchAll(url: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      const chunks: Buffer[] = []
      let ended = false
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => (ended = true))
      res.on('error', () => {})
      res.on('close', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes: Buffer.concat(chunks), ended }))
    }).on('error', reject)
  })
}

const endpoint = (path: string, backend: TestBackend, extra: Record<string, unknown> = {}, backendExtra: Record<string, unknown> = {}) => ({
  endpoint: path,
  ...extra,
  backend: [{ host: [backend.url], url_pattern: '/doc', ...backendExtra }],
})

/** The gateway's JSON log lines with `msg`. */
function logLines(output: string, msg: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.msg === msg)
}

const sha1 = (bytes: Buffer) => createHash('sha1').update(bytes).digest('hex')

t.test('a 20 MB document arrives byte for byte, chunked, complete; a short one as before, with its length', async (t) => {
  const big = page(20 * MB)
  const small = page(16 * 1024)
  const [declared, chunked, short, limited] = await startBackends(t, serving(big), serving(big, { chunked: true }), serving(small), serving(big))
  const { base } = await runGateway(t, {
    endpoints: [
      endpoint('/declared', declared!),
      endpoint('/chunked', chunked!),
      endpoint('/short', short!),
      endpoint('/limited', limited!, { extra_config: { 'qos/ratelimit/router': { max_rate: 100 } } }),
    ],
  })
  for (const path of ['/declared', '/chunked', '/limited']) {
    const answer = await fetchAll(base + path)
    t.equal(answer.status, 200, path)
    t.equal(answer.headers['x-rxgate-completed'], 'true')
    t.equal(answer.headers['content-type'], 'application/json; charset=utf-8')
    t.equal(answer.headers['transfer-encoding'], 'chunked')
    t.equal(answer.headers['content-length'], undefined)
    t.ok(answer.ended, 'ended cleanly')
    t.equal(answer.bytes.length, big.length)
    t.equal(sha1(answer.bytes), sha1(big), 'the backend\'s bytes')
  }
  const answer = await fetchAll(`${base}/short`)
  t.equal(answer.headers['content-length'], String(small.length), 'below the threshold: buffered and sent with its length')
  t.ok(answer.bytes.equals(small))
})

t.test('an endpoint that could change the document keeps the buffered path', async (t) => {
  const big = page(2 * MB)
  const [api] = await startBackends(t, serving(big))
  const { base } = await runGateway(t, {
    endpoints: [endpoint('/negotiated', api!, { output_encoding: 'negotiate' }), endpoint('/collection', api!, { output_encoding: 'json-collection' })],
  })
  const negotiated = await fetchAll(`${base}/negotiated`)
  t.equal(negotiated.headers['content-length'], String(negotiated.bytes.length), 'negotiate: written whole, with its length')
  t.same(JSON.parse(negotiated.bytes.toString()), JSON.parse(big.toString()))
  const collection = await fetchAll(`${base}/collection`)
  t.equal(collection.bytes.toString(), '[]', 'json-collection still reads the document (an object: no collection)')
})

async function cutAndLogged(t: Test, body: Buffer, code: string, service: Record<string, unknown> = {}) {
  const [api] = await startBackends(t, serving(body))
  const { base, gateway } = await runGateway(t, { ...service, endpoints: [endpoint('/doc', api!)] })
  const answer = await fetchAll(`${base}/doc`)
  t.equal(answer.status, 200, 'the head was sent before the fault was found')
  t.notOk(answer.ended, 'the answer is cut: its end never comes')
  t.ok(answer.bytes.length < body.length, `${answer.bytes.length} of ${body.length} bytes`)
  await gateway.waitFor('endpoint failed after it answered')
  const [line] = logLines(gateway.output(), 'endpoint failed after it answered')
  t.equal(line?.code, code)
  t.equal(line?.endpoint, '/doc')
  t.match((line?.err as { message?: string })?.message, api!.url, 'the log names the backend')
  t.same(await fetchAll(`${base}/__health`).then((health) => health.status), 200, 'still serving')
}

t.test('a document found invalid after its answer started is cut and logged with its backend', (t) =>
  cutAndLogged(t, page(4 * MB, '} garbage'), 'RXGATE_ERR_BACKEND_DECODE'),
)

t.test('a document too deep further on is cut and logged likewise', (t) =>
  cutAndLogged(t, page(4 * MB, `,"deep":${'['.repeat(200)}${']'.repeat(200)}`), 'RXGATE_ERR_BACKEND_TOO_DEEP', {
    extra_config: { rxgate: { max_nesting_depth: 100 } },
  }),
)

t.test('a fault in the first bytes still fails the endpoint cleanly, before anything is sent', async (t) => {
  const [garbage, deep] = await startBackends(t, serving(Buffer.concat([Buffer.from('<html>'), page(1 * MB)])), serving(Buffer.from(`[${'['.repeat(20_000)}${']'.repeat(20_000)}]`)))
  const { base } = await runGateway(t, { endpoints: [endpoint('/garbage', garbage!), endpoint('/deep', deep!)] })
  for (const [path, code] of [
    ['/garbage', 'RXGATE_ERR_BACKEND_DECODE'],
    ['/deep', 'RXGATE_ERR_BACKEND_TOO_DEEP'],
  ] as const) {
    const answer = await fetchAll(base + path)
    t.equal(answer.status, 500, path)
    t.equal(answer.headers['x-rxgate-completed'], 'false')
    t.same(JSON.parse(answer.bytes.toString()), { error: { code, message: 'a backend of this endpoint failed' } })
  }
})

t.test('a client that goes away mid-document cancels the backend read', async (t) => {
  let cut: (value: boolean) => void = () => {}
  const backendClosed = new Promise<boolean>((resolve) => (cut = resolve))
  const [api] = await startBackends(t, serving(page(200 * MB), {}, (closed) => cut(closed)))
  const { base } = await runGateway(t, { endpoints: [endpoint('/doc', api!)] })
  await new Promise<void>((resolve, reject) => {
    const request = get(`${base}/doc`, (res) => {
      res.once('data', () => {
        request.destroy()
        resolve()
      })
    })
    request.on('error', () => {})
    request.on('response', () => {}).on('error', reject)
  })
  const started = performance.now()
  t.equal(await backendClosed, true, 'the backend saw its connection closed before the end')
  t.ok(performance.now() - started < 5000, 'promptly')
})

t.test('10 documents of 20 MB at once keep the gateway under 400 MB of peak memory', async (t) => {
  const big = page(20 * MB)
  const [api] = await startBackends(t, serving(big))
  const { base, gateway } = await runGateway(t, { endpoints: [endpoint('/doc', api!)] })
  const answers = await Promise.all(Array.from({ length: 10 }, () => fetchAll(`${base}/doc`)))
  for (const answer of answers) t.ok(answer.ended && answer.bytes.equals(big), 'each one whole and the same')
  const status = readFileSync(`/proc/${gateway.child.pid}/status`, 'utf8')
  const peak = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]) * 1024
  t.ok(peak > 0 && peak < 400 * MB, `peak RSS ${(peak / MB).toFixed(0)} MB`)
})
