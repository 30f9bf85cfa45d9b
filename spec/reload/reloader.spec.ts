import { writeFileSync } from 'node:fs'
import t, { type Test } from 'tap'
import { loadConfig } from '../../lib/config/index.js'
import { createLogger } from '../../lib/logger.js'
import { compileGateway } from '../../lib/pipeline/compile.js'
import { Reloader } from '../../lib/reload/reloader.js'
import { httpBackend, sendJson } from '../fixtures/backends.js'
import { writeConfig } from '../helpers/run-cli.js'
import { serveGateway } from '../helpers/serve-gateway.js'

const logger = createLogger({ level: 'silent' })

async function started(t: Test, config: Record<string, unknown>) {
  const file = writeConfig({ version: 3, ...config })
  const loaded = (await loadConfig(file)).config
  const gateway = compileGateway(loaded, { logger })
  const base = await serveGateway(t, gateway)
  return { file, base, reloader: new Reloader(gateway, loaded, { file, logger }) }
}

t.test('reloads asked for while one runs join one more, which reads the file as it is then', async (t) => {
  const api = await httpBackend((req, res) => sendJson(res, { at: req.url }))
  t.teardown(api.close)
  const endpoint = (path: string) => ({ endpoint: path, backend: [{ host: [api.origin], url_pattern: '/' }] })
  const { file, base, reloader } = await started(t, { endpoints: [endpoint('/a')] })
  writeFileSync(file, JSON.stringify({ version: 3, endpoints: [endpoint('/b')] }))
  const first = reloader.reload()
  writeFileSync(file, JSON.stringify({ version: 3, endpoints: [endpoint('/c'), endpoint('/d')] }))
  const more = [reloader.reload(), reloader.reload(), reloader.reload(), reloader.reload()]
  const outcomes = await Promise.all([first, ...more])
  t.equal(new Set(outcomes).size, 2, 'two reloads for five asks')
  t.equal(outcomes[1], outcomes[4], 'the four asked for meanwhile share one')
  t.match(outcomes[1], { reloaded: true, endpoints: 2 }, 'which read the file as it was when it ran')
  t.equal((await fetch(`${base}/d`)).status, 200)
  t.equal((await fetch(`${base}/b`)).status, 404)
})

t.test('a refusal says why in one line and lists each problem; what needs a restart is said', async (t) => {
  const { file, reloader } = await started(t, { endpoints: [] })
  writeFileSync(file, JSON.stringify({ version: 3, endpoints: [{ endpoint: '/a', method: 'FETCH', backend: [{ host: ['http://x'], url_pattern: 'y' }] }] }))
  const refused = await reloader.reload()
  t.match(refused, { reloaded: false, reason: /gateway\.json is not valid \(2 problems\)$/ })
  t.same(!refused.reloaded && refused.problems.map((problem) => problem.split(':')[0]), ['/endpoints/0/backend/0/url_pattern', '/endpoints/0/method'], 'one line each, as check prints them')

  writeFileSync(file, JSON.stringify({ version: 3, port: 9999, endpoints: [] }))
  t.match(await reloader.reload(), { reloaded: true, needsRestart: ['port'] })
  t.equal(reloader.config.port, 8080, 'the port served is still the one it started with')
  writeFileSync(file, JSON.stringify({ version: 3, port: 9999, timeout: '3s', endpoints: [] }))
  t.match(await reloader.reload(), { reloaded: true, needsRestart: ['port'] }, 'said again while it differs from what runs')
})

t.test('no reload once stopped', async (t) => {
  const { reloader } = await started(t, { endpoints: [] })
  await reloader.stop()
  t.match(await reloader.reload(), { reloaded: false, reason: 'the gateway is stopping' })
})
