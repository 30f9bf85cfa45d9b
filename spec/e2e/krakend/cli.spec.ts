import { createServer } from 'node:net'
import t from 'tap'
import { json, startBackends } from '../../helpers/http-backend.js'
import { cli, runGateway, writeConfig } from '../../helpers/run-cli.js'
import { ROOT } from '../../helpers/spawn-node.js'

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
  // auth/api-keys is not enforced: the file runs only when that is allowed
  const [echo] = await startBackends(t, json({ hello: 'yaml' }))
  const yaml = `version: 3
extra_config:
  auth/api-keys:
    strategy: header
  telemetry/gelf: {}
endpoints:
  - endpoint: /hello
    backend:
      - host: ["${echo!.url}"]
        url_pattern: /hello
`
  const { base, gateway } = await runGateway(t, writeConfig(yaml, 'gateway.yaml'), '--allow-unenforced')
  t.same(await (await fetch(`${base}/hello`)).json(), { hello: 'yaml' })
  t.match(gateway.output(), /extra_config namespaces rxgate does not implement are ignored: telemetry\/gelf"/, 'one warning names the ignored namespaces')
  t.match(gateway.output(), /\/extra_config\/auth~1api-keys: auth\/api-keys is not enforced by rxgate/, 'the unenforced one has its own')
})

/** An endpoint guarded by API keys (KrakenD Enterprise's auth/api-keys), which rxgate does not do. */
function guarded(backend: string) {
  return {
    version: 3,
    extra_config: { 'telemetry/gelf': { address: 'graylog:12201' } },
    endpoints: [
      {
        endpoint: '/private',
        extra_config: { 'auth/api-keys': { roles: ['user'] } },
        backend: [{ host: [backend], url_pattern: '/private' }],
      },
    ],
  }
}

const NOT_ENFORCED =
  '/endpoints/0/extra_config/auth~1api-keys: auth/api-keys is not enforced by rxgate: ' +
  'it would reject requests without a valid API key with 401; remove it, or run with --allow-unenforced to serve without it'

t.test('check and run fail closed on a namespace rxgate does not enforce', async (t) => {
  const file = writeConfig(guarded('http://127.0.0.1:1'))
  const checked = await cli('check', '-c', file)
  t.equal(checked.code, 1)
  t.equal(checked.output, `rxgate: ${file} is not valid (1 problem):\n${NOT_ENFORCED}\n`)

  const ran = await cli('run', '-c', file, '-p', '0')
  t.equal(ran.code, 1, 'run refuses to serve it')
  t.match(ran.output, NOT_ENFORCED)
  t.notMatch(ran.output, /rxgate listening/)

  const allowed = await cli('check', '-c', file, '--allow-unenforced')
  t.equal(allowed.code, 0)
  t.match(allowed.output, /warning: \/endpoints\/0\/extra_config\/auth~1api-keys: auth\/api-keys is not enforced by rxgate: .*served without it/)
  t.match(allowed.output, /warning: extra_config namespaces rxgate does not implement are ignored: telemetry\/gelf/)
  t.match(allowed.output, /the configuration is valid \(1 endpoint\)/)
})

t.test('run --allow-unenforced serves without it, and says so in its log', async (t) => {
  const [backend] = await startBackends(t, json({ secret: 'data' }))
  const { base, gateway } = await runGateway(t, guarded(backend!.url), '--allow-unenforced')
  const answer = await fetch(`${base}/private`)
  t.equal(answer.status, 200, 'no token needed: exactly what the flag allowed')
  t.same(await answer.json(), { secret: 'data' })
  const line = gateway.output().split('\n').find((text) => text.includes('auth/api-keys is not enforced'))
  t.ok(line, 'the warning is in the log')
  t.match(JSON.parse(line!), { level: 40, msg: /served without it, as --allow-unenforced asks/ })
})

t.test('run --workers 2 --allow-unenforced: the workers get the flag, the warning is logged once', async (t) => {
  const [backend] = await startBackends(t, json({ ok: true }))
  const { base, gateway } = await runGateway(t, guarded(backend!.url), '-w', '2', '--allow-unenforced')
  while (gateway.output().split('rxgate listening').length < 3) await new Promise((resolve) => setTimeout(resolve, 20))
  t.same(await (await fetch(`${base}/private`)).json(), { ok: true })
  t.equal(gateway.output().split('auth/api-keys is not enforced').length - 1, 1, 'by the supervisor, not by each worker')
})

t.test('a legacy name of a validation namespace fails closed too; other unknown namespaces only warn', async (t) => {
  const file = writeConfig({
    version: 3,
    extra_config: { 'github_com/devopsfaith/krakend-gelf': { address: 'graylog:12201' } },
    endpoints: [
      {
        endpoint: '/a',
        backend: [
          {
            host: ['http://127.0.0.1:1'],
            url_pattern: '/a',
            extra_config: { 'github.com/devopsfaith/krakend-cel': [{ check_expr: "req_method == 'GET'" }] },
          },
        ],
      },
    ],
  })
  const { code, output } = await cli('check', '-c', file)
  t.equal(code, 1)
  t.match(output, /is not valid \(1 problem\)/)
  t.match(output, '/endpoints/0/backend/0/extra_config/github.com~1devopsfaith~1krakend-cel: validation/cel is not enforced by rxgate')
  t.notMatch(output, /krakend-gelf/, 'the GELF namespace is not a problem')
})

t.test('check: misspelled keys get a suggestion; --lint makes them errors', async (t) => {
  const file = writeConfig({
    version: 3,
    endpoints: [
      {
        endpoint: '/a',
        methd: 'POST',
        backend: [{ host: ['http://127.0.0.1:1'], url_pattern: '/a', alow: ['name'], extra_config: { proxy: { shadw: true } } }],
      },
    ],
  })
  const warned = await cli('check', '-c', file)
  t.equal(warned.code, 0)
  t.match(warned.output, 'warning: /endpoints/0/methd: is not a key rxgate knows; did you mean "method"?')
  t.match(warned.output, 'warning: /endpoints/0/backend/0/alow: is not a key rxgate knows; did you mean "allow"?')
  t.match(warned.output, 'warning: /endpoints/0/backend/0/extra_config/proxy/shadw: is not a key rxgate knows; did you mean "shadow"?')

  const linted = await cli('check', '-c', file, '--lint')
  t.equal(linted.code, 1)
  t.equal(
    linted.output,
    `rxgate: ${file} is not valid (3 problems):\n` +
      '/endpoints/0/backend/0/alow: is not a key rxgate knows; did you mean "allow"?\n' +
      '/endpoints/0/backend/0/extra_config/proxy/shadw: is not a key rxgate knows; did you mean "shadow"?\n' +
      '/endpoints/0/methd: is not a key rxgate knows; did you mean "method"?\n',
  )
})

t.test('check: the example files pass, and the KrakenD CE fixture (rate limit, circuit breaker) as it is', async (t) => {
  const example = await cli('check', '-c', `${ROOT}examples/frontpage/krakend.json`, '--lint')
  t.equal(example.code, 0)
  t.notMatch(example.output, /warning/)
  for (const fixture of ['krakend-ce.json', 'krakend-ce.yaml']) {
    const path = `${ROOT}spec/fixtures/config/${fixture}`
    const checked = await cli('check', '-c', path)
    t.equal(checked.code, 0, fixture)
    t.match(checked.output, /the configuration is valid \(5 endpoints\)/)
    t.notMatch(checked.output, /not enforced/)
  }
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
