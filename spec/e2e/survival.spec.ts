import type { IncomingMessage, ServerResponse } from 'node:http'
import t, { type Test } from 'tap'
import { json, startBackends } from '../helpers/http-backend.js'
import { runGateway } from '../helpers/run-cli.js'
import { freePort, runNode, type Running } from '../helpers/spawn-node.js'

// One request can never take the process down: deep documents, and code that throws everywhere
// a user's code can, while other clients are being served; in one process and under --workers 2.

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`
/** An object whose `deep` key holds `depth` nested arrays: it merges with other backends' objects. */
const deepObject = (depth: number) => `{"deep":${nested(depth)}}`

function text(body: string) {
  return (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body)
  }
}

/** Answers with the body it was sent, as JSON. */
function echoBody(req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json' }).end(Buffer.concat(chunks)))
}

async function get(url: string, init?: RequestInit) {
  const res = await fetch(url, init)
  return { status: res.status, completed: res.headers.get('x-rxgate-completed'), body: await res.text() }
}

/** Waits until every worker of a `--workers` run listens. */
async function listening(run: Running, count: number) {
  while (run.output().split('rxgate listening').length <= count) await new Promise((resolve) => setTimeout(resolve, 20))
}

async function deepDocuments(t: Test, workers: string[]) {
  const [deep100k, deep5k, healthy, echo] = await startBackends(t, text(deepObject(100_000)), text(deepObject(5_000)), json({ ok: true }), echoBody)
  const backend = (server: { url: string }, extra: Record<string, unknown> = {}) => ({ host: [server.url], url_pattern: '/', ...extra })
  const { base, gateway } = await runGateway(
    t,
    {
      endpoints: [
        { endpoint: '/deep/100k', backend: [backend(deep100k!)] },
        { endpoint: '/deep/100k/mixed', backend: [backend(deep100k!, { url_pattern: '/a' }), backend(healthy!, { url_pattern: '/b' })] },
        // `allow` reshapes it, so the document is written again rather than passed as it came.
        { endpoint: '/deep/5k', backend: [backend(deep5k!, { allow: ['deep'] })] },
        { endpoint: '/deep/5k/mixed', backend: [backend(deep5k!, { url_pattern: '/a' }), backend(healthy!, { url_pattern: '/b' })] },
        { endpoint: '/healthy', backend: [backend(healthy!)] },
        { endpoint: '/echo', method: 'POST', backend: [backend(echo!, { method: 'POST' })] },
      ],
    },
    ...workers,
  )
  if (workers.length > 0) await listening(gateway, 2)
  const pid = gateway.child.pid

  const healthy$ = Array.from({ length: 40 }, () => get(`${base}/healthy`))
  const [alone, mixed, fine, fineMixed, body] = await Promise.all([
    get(`${base}/deep/100k`),
    get(`${base}/deep/100k/mixed`),
    get(`${base}/deep/5k`),
    get(`${base}/deep/5k/mixed`),
    get(`${base}/echo`, { method: 'POST', body: nested(100_000), headers: { 'content-type': 'application/json' } }),
  ])
  for (const answer of await Promise.all(healthy$)) t.same(answer, { status: 200, completed: 'true', body: '{"ok":true}' })

  t.equal(alone.status, 500, 'a 100,000-deep document alone: the endpoint fails')
  t.same(JSON.parse(alone.body), { error: { code: 'RXGATE_ERR_BACKEND_TOO_DEEP', message: 'a backend of this endpoint failed' } })
  t.same(mixed, { status: 200, completed: 'false', body: '{"ok":true}' }, 'beside a healthy backend: a partial answer')
  t.same(fine, { status: 200, completed: 'true', body: deepObject(5_000) }, '5,000 levels are within the limit, written whole')
  t.same(fineMixed, { status: 200, completed: 'true', body: `{"deep":${nested(5_000)},"ok":true}` }, 'and merged')
  t.equal(body.status, 500, 'a deep client body reaches the backend; its deep echo is refused')
  t.match(body.body, /RXGATE_ERR_BACKEND_TOO_DEEP/)
  t.equal(echo!.seen.length, 1, 'the client body was forwarded')

  t.same(await get(`${base}/healthy`), { status: 200, completed: 'true', body: '{"ok":true}' }, 'still serving')
  t.equal(gateway.child.pid, pid)
  t.equal(gateway.child.exitCode, null, 'the same process, alive')
  t.notMatch(gateway.output(), /a worker died|Maximum call stack/)
}

t.test('deep backend documents, alone and beside a healthy backend, while other clients are served', (t) => deepDocuments(t, []))
t.test('the same under --workers 2', (t) => deepDocuments(t, ['-w', '2']))

async function startUnruly(t: Test, workers: number) {
  const port = await freePort()
  const run = runNode('spec/fixtures/unruly-gateway.mjs', [String(port), String(workers)])
  t.teardown(async () => {
    run.child.kill('SIGTERM')
    await run.exited
  })
  await listening(run, workers > 1 ? 2 : 1)
  return { base: `http://127.0.0.1:${port}`, run }
}

/** The JSON log lines of a run that say an endpoint failed. */
function failures(run: Running): { endpoint?: string; code?: string; msg: string }[] {
  return run
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { endpoint?: string; code?: string; msg: string })
    .filter((line) => line.msg.startsWith('endpoint failed') || line.msg.includes('teardown'))
}

async function unrulyCode(t: Test, workers: number) {
  const { base, run } = await startUnruly(t, workers)
  const pid = run.child.pid
  const error = (code: string, message: string) => JSON.stringify({ error: { code, message } })
  const healthy$ = Array.from({ length: 30 }, () => fetch(`${base}/healthy`).then((res) => res.status))

  const expected: [string, number, string][] = [
    ['/throw/sync', 500, error('RXGATE_ERR_PIPELINE', "the endpoint's pipeline failed")],
    ['/throw/callback', 500, error('RXGATE_ERR_INTERNAL', 'the gateway failed to answer this request')],
    ['/throw/callback-untraced', 504, error('RXGATE_ERR_ENDPOINT_TIMEOUT', 'the endpoint did not answer within 300ms')],
    ['/bigint', 500, error('RXGATE_ERR_RENDER', 'the answer could not be encoded')],
    ['/cyclic', 500, error('RXGATE_ERR_RENDER', 'the answer could not be encoded')],
    ['/render-throws', 500, error('RXGATE_ERR_RENDER', 'the answer could not be encoded')],
    ['/throw/teardown-after-answer', 200, '{"answered":true}'],
    ['/rejection', 200, '{"ok":true}'],
  ]
  for (const [path, status, body] of expected) {
    const answer = await get(`${base}${path}`)
    t.same({ status: answer.status, body: answer.body }, { status, body }, path)
  }
  // A client that leaves: the pipeline's teardown throws. Waited for by its log line, not a fixed
  // time: on a busy machine the request may take longer to reach the gateway and be torn down.
  await fetch(`${base}/throw/teardown-on-abort`, { signal: AbortSignal.timeout(500) }).catch(() => undefined)
  await run.waitFor('teardown boom on abort', 10_000)
  await run.waitFor('teardown boom after answer', 10_000)

  t.same(await Promise.all(healthy$), healthy$.map(() => 200), 'every other client was answered')
  const after = await fetch(`${base}/healthy`)
  t.equal(after.status, 200, 'still serving')
  t.equal(run.child.pid, pid)
  t.equal(run.child.exitCode, null, 'the same process, alive')
  t.notMatch(run.output(), /a worker died/)
  const logged = failures(run)
  for (const path of ['/throw/sync', '/throw/callback', '/bigint', '/cyclic', '/render-throws']) {
    t.ok(logged.some((line) => line.endpoint === path && line.code), `one log line names ${path} and its code`)
  }
  t.ok(logged.some((line) => line.endpoint === '/throw/teardown-on-abort'), 'the throwing teardown is logged')
  t.ok(logged.some((line) => line.endpoint === '/throw/teardown-after-answer'), 'so is the one after an answer')
}

t.test("a user's code that throws, synchronously, in a callback, in a teardown; BigInt and cyclic values", (t) => unrulyCode(t, 1))
t.test('the same under --workers 2', (t) => unrulyCode(t, 2))

t.test("the file's max_nesting_depth sets the limit", async (t) => {
  const [at, past] = await startBackends(t, text(deepObject(99)), text(deepObject(100)))
  const { base } = await runGateway(t, {
    extra_config: { rxgate: { max_nesting_depth: 100 } },
    endpoints: [
      { endpoint: '/at', backend: [{ host: [at!.url], url_pattern: '/' }] },
      { endpoint: '/past', backend: [{ host: [past!.url], url_pattern: '/' }] },
    ],
  })
  t.same(await get(`${base}/at`), { status: 200, completed: 'true', body: deepObject(99) }, '100 levels, the object included')
  const refused = await get(`${base}/past`)
  t.equal(refused.status, 500)
  t.match(refused.body, /RXGATE_ERR_BACKEND_TOO_DEEP/, '101 levels')
})
