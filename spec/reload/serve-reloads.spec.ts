import { renameSync, writeFileSync } from 'node:fs'
import t from 'tap'
import { loadConfig } from '../../lib/config/index.js'
import { compileGateway } from '../../lib/pipeline/compile.js'
import { serveReloads } from '../../lib/reload/serve-reloads.js'
import { httpBackend, sendJson } from '../fixtures/backends.js'
import { writeConfig } from '../helpers/run-cli.js'
import { recordingLogger } from '../helpers/serve-gateway.js'

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

t.test('a change made while the gateway starts to listen is heard, and reloaded once it listens', async (t) => {
  const api = await httpBackend((req, res) => sendJson(res, { at: req.url }))
  t.teardown(api.close)
  const endpoint = (path: string) => ({ endpoint: path, backend: [{ host: [api.origin], url_pattern: '/' }] })
  const file = writeConfig({ version: 3, endpoints: [endpoint('/a')] })
  const { logger, lines } = recordingLogger()
  const gateway = compileGateway((await loadConfig(file)).config, { logger })
  let listen!: () => void
  const ready = new Promise<void>((resolve) => (listen = resolve))
  const reloads = serveReloads(gateway, (await loadConfig(file)).config, { file, logger, watch: true, ready })
  t.teardown(async () => {
    await reloads.stop()
    await gateway.close()
  })
  const reloaded = () => lines.filter((line) => line.msg === 'configuration reloaded').length

  writeFileSync(`${file}.tmp`, JSON.stringify({ version: 3, endpoints: [endpoint('/b')] }))
  renameSync(`${file}.tmp`, file)
  await pause(600)
  t.equal(reloaded(), 0, 'nothing is swapped into a gateway that is still starting')

  const { port } = await gateway.listen(0, '127.0.0.1')
  listen()
  const until = Date.now() + 10_000
  while (reloaded() === 0 && Date.now() < until) await pause(25)
  t.equal(reloaded(), 1, 'the change the watch heard, reloaded once it listens')
  t.equal((await fetch(`http://127.0.0.1:${port}/b`)).status, 200, 'the changed file is served')
  t.equal((await fetch(`http://127.0.0.1:${port}/a`)).status, 404)
})
