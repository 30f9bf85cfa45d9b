import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { loadConfig } from '../../lib/config/index.js'
import { createLogger } from '../../lib/logger.js'
import { compileGateway } from '../../lib/pipeline/compile.js'
import { loadPlugins } from '../../lib/plugins/load.js'
import { Reloader } from '../../lib/reload/reloader.js'
import { httpBackend } from '../fixtures/backends.js'
import { writeConfig } from '../helpers/run-cli.js'
import { serveGateway } from '../helpers/serve-gateway.js'

// What a reload keeps of the middlewares' state, and what it makes anew: in one process, with
// the reloader `rxgate run` uses.

const logger = createLogger({ level: 'silent' })

async function serving(t: Test, config: Record<string, unknown>) {
  const file = writeConfig({ version: 3, ...config })
  const loaded = (await loadConfig(file, { allowUnenforced: false })).config
  const gateway = compileGateway(loaded, { logger, plugins: await loadPlugins(loaded) })
  const base = await serveGateway(t, gateway)
  const reloader = new Reloader(gateway, loaded, { file, logger })
  const reload = async (next: Record<string, unknown>) => {
    writeFileSync(file, JSON.stringify({ version: 3, ...next }))
    const outcome = await reloader.reload()
    t.ok(outcome.reloaded, 'reloaded')
  }
  return { base, reload }
}

t.test('a circuit breaker whose block did not change stays open across a reload; a changed block starts closed', async (t) => {
  const failing = await httpBackend((_req, res) => res.writeHead(500).end())
  t.teardown(failing.close)
  const guarded = (maxErrors: number) => ({
    endpoint: '/guarded',
    backend: [{ host: [failing.origin], url_pattern: '/', extra_config: { 'qos/circuit-breaker': { interval: 60, timeout: 60, max_errors: maxErrors } } }],
  })
  const { base, reload } = await serving(t, { endpoints: [guarded(1)] })
  for (let i = 0; i < 3; i++) await fetch(`${base}/guarded`).then((res) => res.text())
  t.equal(failing.seen.length, 2, 'open after its second failure: the third call is not made')

  await reload({ endpoints: [guarded(1), { endpoint: '/other', backend: [{ host: [failing.origin], url_pattern: '/' }] }] })
  await fetch(`${base}/guarded`).then((res) => res.text())
  t.equal(failing.seen.length, 2, 'the same block after a reload: still open')

  await reload({ endpoints: [guarded(2)] })
  await fetch(`${base}/guarded`).then((res) => res.text())
  t.equal(failing.seen.length, 3, 'a changed block: a new breaker, closed')
})

t.test('an HTTP cache whose block did not change keeps its answers across a reload', async (t) => {
  const cacheable = await httpBackend((_req, res) => res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=3600' }).end('{"n":1}'))
  t.teardown(cacheable.close)
  const cached = { endpoint: '/cached', backend: [{ host: [cacheable.origin], url_pattern: '/', extra_config: { 'qos/http-cache': {} } }] }
  const { base, reload } = await serving(t, { endpoints: [cached] })
  await fetch(`${base}/cached`).then((res) => res.text())
  await reload({ endpoints: [cached, { endpoint: '/other', backend: [{ host: [cacheable.origin], url_pattern: '/' }] }] })
  t.same(await fetch(`${base}/cached`).then((res) => res.json()), { n: 1 })
  t.equal(cacheable.seen.length, 1, 'answered from the kept cache')
})

t.test('a plugin module changed on disk is imported again by the reload; an unchanged one is not', async (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'rxgate-plugins-'))
  const plugin = (version: string) =>
    `globalThis.rxgateImports = (globalThis.rxgateImports ?? 0) + 1
export default { name: 'stamp', server: () => (next) => (req, res) => { res.setHeader('x-plugin', '${version}'); next(req, res) } }`
  writeFileSync(join(folder, 'package.json'), '{ "type": "module" }')
  const file = join(folder, 'stamp.js')
  writeFileSync(file, plugin('v1'))
  const config = { plugin: { folder, pattern: '.js' }, extra_config: { 'plugin/http-server': { name: 'stamp' } }, endpoints: [] }
  const { base, reload } = await serving(t, config)
  const imports = () => (globalThis as { rxgateImports?: number }).rxgateImports
  const before = imports()
  t.equal((await fetch(`${base}/__health`)).headers.get('x-plugin'), 'v1')

  await reload(config)
  t.equal(imports(), before, 'unchanged: not imported again (its top-level code not run again)')
  writeFileSync(file, plugin('v2'))
  // a later modification time, whatever the file system's resolution
  utimesSync(file, new Date(), new Date(Date.now() + 5000))
  await reload(config)
  t.equal(imports(), before! + 1)
  t.equal((await fetch(`${base}/__health`)).headers.get('x-plugin'), 'v2', 'the new code serves')
})
