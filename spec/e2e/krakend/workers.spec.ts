import { createServer } from 'node:net'
import t from 'tap'
import { json, startBackends } from '../../helpers/http-backend.js'
import { cli, runGateway, writeConfig } from '../../helpers/run-cli.js'

t.test('--workers 2: two processes serve the same port, and stop together', async (t) => {
  const [ok] = await startBackends(t, json({ ok: true }))
  const { base, gateway } = await runGateway(t, { endpoints: [{ endpoint: '/a', backend: [{ host: [ok!.url], url_pattern: '/' }] }] }, '-w', '2')
  await gateway.waitFor('rxgate listening')
  // Both workers listening: two "rxgate listening" lines.
  while (gateway.output().split('rxgate listening').length < 3) await new Promise((resolve) => setTimeout(resolve, 20))
  for (let i = 0; i < 20; i++) t.same(await (await fetch(`${base}/a`, { headers: { connection: 'close' } })).json(), { ok: true })
  const pids = new Set(
    gateway
      .output()
      .split('\n')
      .filter((line) => line.includes('"msg":"request"'))
      .map((line) => (JSON.parse(line) as { pid: number }).pid),
  )
  t.equal(pids.size, 2, 'both workers answered')
  gateway.child.kill('SIGTERM')
  t.equal(await gateway.exited, 0, 'the supervisor exits cleanly once its workers have')
})

t.test('--workers with a port in use fails once, clearly, without restarting forever', async (t) => {
  const blocker = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => blocker.close(resolve)))
  const { port } = blocker.address() as { port: number }
  const file = writeConfig({ version: 3, listen_ip: '127.0.0.1', endpoints: [] })
  const { code, output } = await cli('run', '-c', file, '-p', String(port), '-w', '2')
  t.equal(code, 1)
  t.match(output, new RegExp(`port ${port} is in use`))
})

t.test('--workers must be a whole number, or auto', async (t) => {
  const { code, output } = await cli('run', '-c', writeConfig({ version: 3, endpoints: [] }), '-w', 'many')
  t.equal(code, 2, 'a usage error')
  t.match(output, /--workers must be a whole number/)
})
