import { createServer } from 'node:net'
import t from 'tap'
import { json, startBackends } from '../../helpers/http-backend.js'
import { cli, runGateway, writeConfig } from '../../helpers/run-cli.js'

const valid = {
  version: 3,
  endpoints: [{ endpoint: '/a', backend: [{ host: ['http://127.0.0.1:1'], url_pattern: '/a' }] }],
}

t.test('check: a valid file', async (t) => {
  const { code, output } = await cli('check', '-c', writeConfig(valid))
  t.equal(code, 0)
  t.match(output, /valid/)
})

t.test('check: every schema error, each with its JSON path and what was expected', async (t) => {
  const file = writeConfig({
    version: 2,
    port: 'eighty',
    endpoints: [
      { endpoint: '/a', backend: [{ host: ['http://x'], url_pattern: 'no-slash' }] },
      { endpoint: '/b', method: 'FETCH', backend: [{ host: ['http://x'], url_pattern: '/b', encoding: 'bson' }] },
    ],
  })
  const { code, output } = await cli('check', '-c', file)
  t.equal(code, 1)
  t.match(output, /\/version: /)
  t.match(output, /\/port: /)
  t.match(output, /\/endpoints\/0\/backend\/0\/url_pattern: must start with "\/"/)
  t.match(output, /\/endpoints\/1\/method: /)
  t.match(output, /\/endpoints\/1\/backend\/0\/encoding: /)
})

t.test('check: reserved paths are rejected', async (t) => {
  const file = writeConfig({ version: 3, endpoints: [{ endpoint: '/__health', backend: [{ host: ['http://x'], url_pattern: '/' }] }] })
  const { code, output } = await cli('check', '-c', file)
  t.equal(code, 1)
  t.match(output, /\/endpoints\/0\/endpoint: .*reserved/)
})

t.test('a missing file and a JSON syntax error get clear messages', async (t) => {
  const missing = await cli('check', '-c', '/nonexistent/gateway.json')
  t.equal(missing.code, 1)
  t.match(missing.output, /gateway\.json/)
  t.notMatch(missing.output, /at .*\.js:\d+/, 'no stack trace')

  const broken = await cli('check', '-c', writeConfig('{\n  "version": 3,\n  "endpoints": [\n    { "endpoint": "/a", }\n  ]\n}'))
  t.equal(broken.code, 1)
  t.match(broken.output, /line 4/)
  t.match(broken.output, /column \d+/)
})

t.test('run: a YAML file, with an unknown namespace ignored with one warning', async (t) => {
  const [echo] = await startBackends(t, json({ hello: 'yaml' }))
  const yaml = `version: 3
extra_config:
  qos/ratelimit/router:
    max_rate: 10
  telemetry/opentelemetry: {}
endpoints:
  - endpoint: /hello
    backend:
      - host: ["${echo!.url}"]
        url_pattern: /hello
`
  const { base, gateway } = await runGateway(t, writeConfig(yaml, 'gateway.yaml'))
  t.same(await (await fetch(`${base}/hello`)).json(), { hello: 'yaml' })
  t.match(gateway.output(), /qos\/ratelimit\/router/, 'one warning names the ignored namespaces')
})

t.test('run: a port in use is a clear error', async (t) => {
  const blocker = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => blocker.close(resolve)))
  const { port } = blocker.address() as { port: number }
  const { code, output } = await cli('run', '-c', writeConfig({ ...valid, listen_ip: '127.0.0.1' }), '-p', String(port))
  t.equal(code, 1)
  t.match(output, new RegExp(`port ${port} is in use`))
})

t.test('run: flags override the file', async (t) => {
  const { base, gateway } = await runGateway(t, { port: 1, endpoints: [] }, '-l', 'debug', '-d')
  const debug = await fetch(`${base}/__debug/x`)
  t.same(await debug.json(), { message: 'pong' })
  await gateway.waitFor('debug endpoint')
})
