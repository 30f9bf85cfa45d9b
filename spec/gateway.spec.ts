import { pipe } from 'rxjs'
import t from 'tap'
import { backend } from '../lib/backend/index.js'
import { checkConfig } from '../lib/config/index.js'
import { gateway } from '../lib/gateway.js'
import { compileGateway } from '../lib/pipeline/compile.js'
import { fanOut, merge, timeoutEach } from '../operators/index.js'
import { httpBackend, sendJson } from './fixtures/backends.js'
import { quiet, serveGateway } from './helpers/serve-gateway.js'
import { createLogger } from '../lib/logger.js'

const silent = createLogger({ level: 'silent' })

async function answer(url: string) {
  const res = await fetch(url)
  return { status: res.status, headers: Object.fromEntries([...res.headers].filter(([name]) => !['date', 'connection', 'keep-alive'].includes(name))), body: await res.text() }
}

t.test('routes declared in code render as routes compiled from a file do', async (t) => {
  const down = await httpBackend((_req, res) => res.writeHead(503, { 'x-internal-secret': 's3cret' }).end('db-7 is down'))
  t.teardown(down.close)
  const fromFile = compileGateway(
    checkConfig({
      version: 3,
      endpoints: [
        { endpoint: '/one', backend: [{ host: [down.origin], url_pattern: '/a' }] },
        { endpoint: '/two', backend: [{ host: [down.origin], url_pattern: '/a' }, { host: [down.origin], url_pattern: '/b' }] },
      ],
    }).config,
    { logger: silent },
  )
  const inCode = gateway(quiet)
    .get('/one', pipe(fanOut([backend(`${down.origin}/a`)]), timeoutEach('2s'), merge()))
    .get('/two', pipe(fanOut([backend(`${down.origin}/a`), backend(`${down.origin}/b`)]), timeoutEach('2s'), merge()))
  const [file, code] = await Promise.all([serveGateway(t, fromFile), serveGateway(t, inCode)])
  for (const path of ['/one', '/two']) {
    const expected = await answer(`${file}${path}`)
    t.same(await answer(`${code}${path}`), expected, `${path}: the same status, headers and body`)
    t.equal(expected.status, 500)
    t.notMatch(expected.body, /db-7|127\.0\.0\.1|s3cret/)
  }
})

t.test("a no-op backend in code: passed through with encoding 'no-op', never sent as JSON with its headers", async (t) => {
  const raw = await httpBackend((_req, res) => res.writeHead(202, { 'x-internal-secret': 's3cret', 'content-type': 'text/plain' }).end('as it came'))
  t.teardown(raw.close)
  const source = backend(`${raw.origin}/x`, { encoding: 'no-op' })
  const base = await serveGateway(t, gateway(quiet).get('/json', source).get('/noop', source, { encoding: 'no-op' }))
  const misplaced = await answer(`${base}/json`)
  t.equal(misplaced.status, 500, 'a raw answer behind a data encoding is a configuration mistake')
  t.notMatch(misplaced.body, /s3cret|as it came/)
  t.equal(misplaced.headers['x-internal-secret'], undefined)
  const passed = await answer(`${base}/noop`)
  t.same([passed.status, passed.body, passed.headers['x-internal-secret']], [202, 'as it came', 's3cret'], 'no-op: the answer as it came')
})

t.test("backend connections belong to their gateway: closing one leaves the other's open", async (t) => {
  let opened = 0
  let closed = 0
  const shared = await httpBackend((_req, res) => sendJson(res, { ok: true }))
  shared.server.on('connection', (socket) => {
    opened++
    socket.on('close', () => closed++)
  })
  t.teardown(shared.close)
  const route = backend(`${shared.origin}/x`)
  const first = gateway(quiet).get('/x', route)
  const second = gateway(quiet).get('/x', route)
  const [a, b] = await Promise.all([serveGateway(t, first), serveGateway(t, second)])
  await fetch(`${a}/x`)
  await fetch(`${b}/x`)
  t.equal(opened, 2, 'one keep-alive connection per gateway')
  await first.close()
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(closed, 1, "the closed gateway's connection is closed")
  t.same(await (await fetch(`${b}/x`)).json(), { ok: true })
  t.equal(opened, 2, 'the other gateway still uses its own, still open')
})
