import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { json, startBackends } from '../helpers/http-backend.js'
import { cli, runGateway, writeConfig } from '../helpers/run-cli.js'
import { ROOT, runNode } from '../helpers/spawn-node.js'

const { version } = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string }

t.test('version and help', async (t) => {
  const printed = runNode('dist/bin/rxgate.js', ['version'])
  t.equal(await printed.exited, 0)
  t.equal(printed.output(), `rxgate ${version}\n`)
  const help = runNode('dist/bin/rxgate.js', ['--help'])
  t.equal(await help.exited, 0)
  t.match(help.output(), /Usage:[\s\S]*rxgate version/)
  t.match(help.output(), /--allow-unenforced\s+serve without the settings rxgate does not enforce/)
  t.match(help.output(), /--lint\s+keys rxgate does not know/)
})

t.test('--version and -v print the version, as the version command does', async (t) => {
  for (const flag of ['--version', '-v']) {
    const printed = runNode('dist/bin/rxgate.js', [flag])
    t.equal(await printed.exited, 0, flag)
    t.equal(printed.output(), `rxgate ${version}\n`, flag)
  }
})

t.test('usage errors are one line, a pointer to the help, and exit code 2', async (t) => {
  const cases: [string[], RegExp][] = [
    [['fly'], /^rxgate: unknown command "fly": the commands are run, check, version and help \(see rxgate help\)\n$/],
    [['-c', 'gateway.json'], /^rxgate: a command is needed: rxgate run -c gateway\.json \(or rxgate check -c gateway\.json\) \(see rxgate help\)\n$/],
    [['run', '-c', 'gateway.json', '--frobnicate'], /^rxgate: run: Unknown option '--frobnicate' \(see rxgate help\)\n$/],
    [['check', '-c', 'gateway.json', '-p', '80'], /^rxgate: check: Unknown option '-p' \(see rxgate help\)\n$/],
    [['run'], /^rxgate: run needs a configuration file: rxgate run -c gateway\.json \(see rxgate help\)\n$/],
    [['run', '-c', 'gateway.json', '--shutdown-timeout', 'soon'], /^rxgate: --shutdown-timeout must be a duration \(30s, 1m, 500ms\), not "soon"/],
    [['run', '-c', 'gateway.json', '-p', 'eighty'], /^rxgate: --port must be a port number, not "eighty"/],
  ]
  for (const [args, wanted] of cases) {
    const run = runNode('dist/bin/rxgate.js', args)
    t.equal(await run.exited, 2, args.join(' '))
    t.match(run.output(), wanted, args.join(' '))
    t.notMatch(run.output(), /Usage:/, 'not the whole help')
  }
})

t.test("check takes KrakenD's flags: -l lints, -t compiles every endpoint, -d prints how the file reads", async (t) => {
  const endpoints = [
    {
      endpoint: '/users/{id}',
      extra_config: { 'qos/ratelimit/router': { max_rate: 10 } },
      backend: [{ host: ['http://users:8080'], url_pattern: '/users/{id}', allow: ['name'], extra_config: { 'qos/circuit-breaker': { interval: 60, timeout: 10, max_errors: 1 } } }],
    },
  ]
  const file = writeConfig({ version: 3, name: 'shop', port: 8081, extra_config: { 'security/cors': { allow_origins: ['*'] } }, endpoints })
  const combined = await cli('check', '-tlc', file)
  t.equal(combined.code, 0, combined.output)
  t.match(combined.output, /the configuration is valid \(1 endpoint, every endpoint compiled\)/)

  const typo = await cli('check', '-l', '-c', writeConfig({ version: 3, endpoints: [{ ...endpoints[0], timout: '1s' }] }))
  t.equal(typo.code, 1, '-l is --lint for check')
  t.match(typo.output, /timout: is not a key rxgate knows; did you mean "timeout"\?/)

  const described = await cli('check', '-d', '-i', '  ', '-c', file)
  t.equal(described.code, 0)
  t.match(described.output, 'Global settings\n  Name: shop\n  Port: 8081\n')
  t.match(described.output, '1 global component configuration(s):\n- security/cors\n')
  t.match(described.output, '1 API endpoints:\n  - GET /users/{id}\n  Timeout: 2s\n  1 endpoint component configuration(s):\n  - qos/ratelimit/router\n')
  t.match(described.output, '    [+] GET /users/{id}\n    Hosts: [http://users:8080]\n    1 backend component configuration(s):\n    - qos/circuit-breaker\n')
  t.notMatch(described.output, /Allow:/, '-d alone: the outline')
  const more = await cli('check', '-ddd', '-c', file)
  t.match(more.output, '\t\tAllow: name\n', '-dd: the shaping')
  t.match(more.output, '\t\t- qos/circuit-breaker\n\t\t\t{"interval":60,"timeout":10,"max_errors":1}\n', '-ddd: the blocks')

  // a plugin factory runs only when endpoints are compiled: check -t finds what check alone cannot
  const folder = mkdtempSync(join(tmpdir(), 'rxgate-check-t-'))
  t.teardown(() => rmSync(folder, { recursive: true, force: true }))
  writeFileSync(join(folder, 'picky.js'), `export default { name: 'picky', endpoint: (config) => { if (!config?.key) throw new Error('"key" is required'); return (pipeline) => pipeline } }`)
  const picky = writeConfig({
    version: 3,
    plugin: { folder, pattern: '.js' },
    endpoints: [{ endpoint: '/a', extra_config: { 'plugin/req-resp-modifier': { name: ['picky'] } }, backend: [{ host: ['http://a:8080'], url_pattern: '/a' }] }],
  })
  t.equal((await cli('check', '-c', picky)).code, 0, 'check alone: the plugin loads')
  const tested = await cli('check', '-t', '-c', picky)
  t.equal(tested.code, 1)
  t.match(tested.output, /its "endpoint" factory threw: "key" is required/)
})

t.test('--workers auto: one worker per core this process may use', async (t) => {
  const cores = availableParallelism()
  const { base, gateway } = await runGateway(t, { endpoints: [] }, '--workers', 'auto')
  t.equal((await fetch(`${base}/__health`)).status, 200)
  if (cores > 1) await gateway.waitFor(`"workers":${cores},`, 30_000)
  else t.notMatch(gateway.output(), /supervising/, 'one core: one process, no supervisor')
})

t.test('--shutdown-timeout bounds the drain; a second SIGINT exits at once', async (t) => {
  const [slow] = await startBackends(t, json({ slow: true }, 10_000))
  const config = { endpoints: [{ endpoint: '/slow', timeout: '20s', backend: [{ host: [slow!.url], url_pattern: '/' }] }] }

  const bounded = await runGateway(t, config, '--shutdown-timeout', '300ms')
  const cut = fetch(`${bounded.base}/slow`).then(() => 'answered', () => 'cut')
  await bounded.gateway.waitFor('"msg":"request"', 100).catch(() => undefined)
  await new Promise((resolve) => setTimeout(resolve, 300))
  const stopping = Date.now()
  bounded.gateway.child.kill('SIGTERM')
  t.equal(await bounded.gateway.exited, 0)
  t.ok(Date.now() - stopping < 5000, `the drain ended after its 300 ms, not the backend's 10 s (${Date.now() - stopping} ms)`)
  t.equal(await cut, 'cut')

  const waiting = await runGateway(t, config, '--shutdown-timeout', '1m')
  const pending = fetch(`${waiting.base}/slow`).then(() => 'answered', () => 'cut')
  await new Promise((resolve) => setTimeout(resolve, 300))
  const interrupted = Date.now()
  waiting.gateway.child.kill('SIGINT')
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(waiting.gateway.child.exitCode, null, 'the first SIGINT drains: the request in flight is waited for')
  waiting.gateway.child.kill('SIGINT')
  t.equal(await waiting.gateway.exited, 130, 'the second exits at once')
  t.ok(Date.now() - interrupted < 5000)
  t.match(waiting.gateway.output(), /a second SIGINT: exiting now/)
  t.equal(await pending, 'cut')
})
