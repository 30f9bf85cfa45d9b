import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { json, startBackends } from '../../helpers/http-backend.js'
import { cli, runGateway, writeConfig } from '../../helpers/run-cli.js'
import { ROOT, runNode } from '../../helpers/spawn-node.js'

// User plugins through the real CLI: ES modules of the `plugin` folder, named by the plugin/*
// namespaces, as KrakenD's Go plugins are.

/**
 * A folder of plugin modules, written for one test (file name → source): ES modules, which find
 * rxjs as a plugin installed beside a gateway would.
 */
function pluginFolder(files: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), 'rxgate-plugins-'))
  writeFileSync(join(folder, 'package.json'), '{ "type": "module" }')
  mkdirSync(join(folder, 'node_modules'))
  symlinkSync(join(ROOT, 'node_modules/rxjs'), join(folder, 'node_modules/rxjs'))
  for (const [name, source] of Object.entries(files)) writeFileSync(join(folder, name), source)
  return folder
}

/** Answers with the headers it was sent, so a test can see what reached the backend. */
function echoHeaders(req: IncomingMessage, res: ServerResponse) {
  const body = JSON.stringify({ trail: req.headers['x-trail'] ?? null, authorization: req.headers.authorization ?? null, id: req.headers['x-request-id'] ?? null })
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(body)
}

// Plugins that leave a mark on the request at each place, with the label of their own block.
const TRAIL = `
import { map } from 'rxjs'
const marked = (trail, mark) => [trail, mark].filter(Boolean).join(',')
const mark = (label) => map((request) => ({ ...request, headers: { ...request.headers, 'x-trail': marked(request.headers['x-trail'], label) } }))
const trail = (name) => ({
  name,
  server: (config) => (next) => (req, res) => {
    req.headers['x-trail'] = marked(req.headers['x-trail'], 'server:' + config.label)
    next(req, res)
  },
  endpoint: (config) => (pipeline) => (request$) => pipeline(request$.pipe(mark('endpoint:' + config.label))),
  backend: (config) => (source) => (request$) => source(request$.pipe(mark('backend:' + config.label))),
})
export default [trail('first'), trail('second')]
`

t.test('the example plugins, loaded from a folder relative to the working directory: a request id and a stripped header', async (t) => {
  const [users, notifications] = await startBackends(t, echoHeaders, echoHeaders)
  const example = JSON.parse(readFileSync(join(ROOT, 'examples/plugins/krakend.json'), 'utf8')) as {
    plugin: { folder: string }
    endpoints: { backend: { host: string[]; allow?: string[] }[] }[]
  }
  t.equal(example.plugin.folder, './dist/examples/plugins/', 'the example names its folder from the working directory, as KrakenD reads it')
  const [first, second] = example.endpoints[0]!.backend
  first!.host = [users!.url]
  first!.allow = ['authorization', 'id']
  second!.host = [notifications!.url]
  const { base, gateway } = await runGateway(t, example)

  const res = await fetch(`${base}/me/1`, { headers: { authorization: 'Bearer s3cret' } })
  t.equal(res.status, 200)
  const id = res.headers.get('x-request-id')
  t.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'a new id for the client')
  const body = (await res.json()) as { authorization: string | null; id: string; notifications: { authorization: string | null; id: string } }
  t.same(body, {
    authorization: 'Bearer s3cret',
    id,
    notifications: { trail: null, authorization: null, id },
  }, 'each backend got the same id; only the backend with strip-headers lost the credentials')

  const kept = await fetch(`${base}/me/1`, { headers: { 'x-request-id': 'edge-42' } })
  t.equal(kept.headers.get('x-request-id'), 'edge-42', "a plausible client id is kept")
  const replaced = await fetch(`${base}/me/1`, { headers: { 'x-request-id': 'not an id; <script>' } })
  t.not(replaced.headers.get('x-request-id'), 'not an id; <script>', 'an implausible one is replaced')
  t.match(gateway.output(), /plugins loaded: 2/, 'the start-up log says what was loaded')
})

t.test('order and blocks: server plugins stack as in KrakenD (the last listed first), modifiers run in the order listed', async (t) => {
  const [backend] = await startBackends(t, echoHeaders)
  const folder = pluginFolder({ 'trail.mjs': TRAIL })
  const modifiers = (labels: [string, string]) => ({ name: ['first', 'second'], first: { label: labels[0] }, second: { label: labels[1] } })
  const { base } = await runGateway(t, {
    plugin: { folder, pattern: '.mjs' },
    extra_config: { 'plugin/http-server': modifiers(['s1', 's2']) },
    endpoints: [
      {
        endpoint: '/trail',
        input_headers: ['X-Trail'],
        extra_config: { 'plugin/req-resp-modifier': modifiers(['e1', 'e2']) },
        backend: [{ host: [backend!.url], url_pattern: '/', extra_config: { 'github_com/devopsfaith/krakend/proxy/plugin': modifiers(['b1', 'b2']) } }],
      },
    ],
  })
  const body = (await (await fetch(`${base}/trail`)).json()) as { trail: string }
  t.equal(body.trail, 'server:s2,server:s1,endpoint:e1,endpoint:e2,backend:b1,backend:b2', 'each plugin had its own block, in its place')
})

t.test('plugin/http-client replaces the backend call: it may answer alone, or call the backend and change its data', async (t) => {
  const [backend] = await startBackends(t, json({ name: 'Ada', secret: 'x' }))
  const folder = pluginFolder({
    'clients.js': `
      import { of, map } from 'rxjs'
      export default [
        { name: 'offline', client: (config) => () => (request$) => request$.pipe(map(() => ({ offline: config.answer }))) },
        { name: 'stamp', client: (config) => (source) => (request$) => source(request$).pipe(map((data) => ({ ...data, stamped: config.by }))) },
      ]`,
  })
  const { base } = await runGateway(t, {
    plugin: { folder, pattern: 'clients' },
    endpoints: [
      { endpoint: '/offline', backend: [{ host: [backend!.url], url_pattern: '/', extra_config: { 'plugin/http-client': { name: 'offline', offline: { answer: 42 } } } }] },
      { endpoint: '/stamped', backend: [{ host: [backend!.url], url_pattern: '/', allow: ['name'], extra_config: { 'plugin/http-client': { name: 'stamp', stamp: { by: 'plugin' } } } }] },
    ],
  })
  t.same(await (await fetch(`${base}/offline`)).json(), { offline: 42 })
  t.equal(backend!.seen.length, 0, 'the backend was never called')
  t.same(await (await fetch(`${base}/stamped`)).json(), { name: 'Ada', stamped: 'plugin' }, "the backend's own call, shaped by allow, then the plugin's change")
  t.equal(backend!.seen.length, 1)
})

t.test('a plugin that throws while serving ends that request alone, never the process', async (t) => {
  const [backend, other, slow] = await startBackends(t, json({ fine: true }), json({ also: 'fine' }), json({ late: true }, 1000))
  const folder = pluginFolder({
    'broken.js': `
      export default [
        { name: 'server-throws', server: () => (next) => (req, res) => { if (req.url === '/boom-server') throw new Error('server plugin bug'); next(req, res) } },
        { name: 'endpoint-throws', endpoint: () => () => () => { throw new Error('endpoint plugin bug') } },
        { name: 'backend-throws', backend: () => () => () => { throw new Error('backend plugin bug') } },
        { name: 'timer-throws', endpoint: () => (pipeline) => (request$) => { setTimeout(() => { throw new Error('timer plugin bug') }, 5); return pipeline(request$) } },
      ]`,
  })
  const { base, gateway } = await runGateway(t, {
    plugin: { folder, pattern: '.js' },
    extra_config: { 'plugin/http-server': { name: ['server-throws'] } },
    endpoints: [
      { endpoint: '/boom-server', backend: [{ host: [backend!.url], url_pattern: '/' }] },
      { endpoint: '/boom-endpoint', extra_config: { 'plugin/req-resp-modifier': { name: ['endpoint-throws'] } }, backend: [{ host: [backend!.url], url_pattern: '/' }] },
      {
        endpoint: '/boom-backend',
        backend: [
          { host: [backend!.url], url_pattern: '/', extra_config: { 'plugin/req-resp-modifier': { name: ['backend-throws'] } } },
          { host: [other!.url], url_pattern: '/' },
        ],
      },
      { endpoint: '/fine', backend: [{ host: [backend!.url], url_pattern: '/' }] },
      {
        endpoint: '/boom-timer',
        timeout: '5s',
        extra_config: { 'plugin/req-resp-modifier': { name: ['timer-throws'] } },
        backend: [{ host: [slow!.url], url_pattern: '/' }],
      },
    ],
  })
  for (const path of ['/boom-server', '/boom-endpoint']) {
    const res = await fetch(`${base}${path}`)
    t.equal(res.status, 500, path)
    const text = await res.text()
    t.notMatch(text, /plugin bug/, `${path}: the plugin's message stays in the log`)
  }
  const partial = await fetch(`${base}/boom-backend`)
  t.equal(partial.status, 200, 'a backend plugin that throws fails its backend: the others still answer')
  t.equal(partial.headers.get('x-rxgate-completed'), 'false')
  t.same(await partial.json(), { also: 'fine' })
  t.same(await (await fetch(`${base}/fine`)).json(), { fine: true }, 'and the gateway still serves')
  // The log comes through a pipe, which may be read after the answer's socket.
  await gateway.waitFor('server plugin bug')
  await gateway.waitFor('endpoint plugin bug')
  // A throw in a plugin's own timer, outside any observable: caught at process level and traced
  // to its request (an endpoint that runs a plugin is traced), which ends at once, not at its deadline.
  const started = Date.now()
  const timer = await fetch(`${base}/boom-timer`)
  t.equal(timer.status, 500)
  t.match(await timer.json(), { error: { code: 'RXGATE_ERR_INTERNAL' } })
  t.ok(Date.now() - started < 2000, 'ended at once, not at the 5 s deadline')
  await gateway.waitFor('timer plugin bug')
  t.same(await (await fetch(`${base}/fine`)).json(), { fine: true })
})

t.test('check loads the plugins: a missing folder, relative to the working directory and not to the file', async (t) => {
  const file = writeConfig({ version: 3, plugin: { folder: './plugins/', pattern: '.js' }, endpoints: [] })
  mkdirSync(join(file, '..', 'plugins'))
  const { code, output } = await cli('check', '-c', file)
  t.equal(code, 1)
  t.match(output, /\/plugin\/folder: "\.\/plugins\/" \(.*\/plugins\) does not exist; a relative folder starts at the working directory/)
  t.notMatch(output, /at .*\.js:\d+/, 'no stack trace')
})

t.test('check: every module that cannot be used, each named with why', async (t) => {
  const folder = pluginFolder({
    'a-throws.js': "throw new Error('cannot reach the license server')",
    'b-syntax.js': 'export default {',
    'c-nothing.js': 'export const helper = 1',
    'd-not-a-plugin.js': "export default { name: 'x', sever: () => (next) => next }",
    'e-one.js': "export default { name: 'twice', server: () => (next) => next }",
    'f-two.js': "export default { name: 'twice', endpoint: () => (pipeline) => pipeline }",
    'g-notes.txt': 'not a module, passed over',
  })
  const { code, output } = await cli('check', '-c', writeConfig({ version: 3, plugin: { folder, pattern: '' }, endpoints: [] }))
  t.equal(code, 1)
  t.match(output, /5 plugin modules are not usable/)
  t.match(output, /a-throws\.js: failed to load: Error: cannot reach the license server/)
  t.match(output, /b-syntax\.js: failed to load: SyntaxError: /)
  t.match(output, /c-nothing\.js: exports no plugin: .*it exports only "helper"/)
  t.match(output, /d-not-a-plugin\.js: its default export is plugin "x" with the key "sever", .*\(did you mean "server"\?\)/)
  t.match(output, /plugin "twice" is registered twice: by .*e-one\.js and by .*f-two\.js/)
  t.notMatch(output, /g-notes/)
})

t.test('check: a name no module registers, or one without the factory its namespace needs, with its JSON pointer', async (t) => {
  const folder = pluginFolder({
    'ids.js': "export default { name: 'request-id', server: () => (next) => next }",
    'strip.js': "export default { name: 'strip-headers', endpoint: () => (pipeline) => pipeline }",
  })
  const file = writeConfig({
    version: 3,
    plugin: { folder, pattern: '.js' },
    extra_config: { 'plugin/http-server': { name: ['request-ids'] } },
    endpoints: [
      {
        endpoint: '/a',
        backend: [{ host: ['http://127.0.0.1:1'], url_pattern: '/', extra_config: { 'plugin/req-resp-modifier': { name: ['strip-headers'] }, 'plugin/http-client': { name: 'request-id' } } }],
      },
    ],
  })
  const { code, output } = await cli('check', '-c', file)
  t.equal(code, 1)
  t.match(output, /3 plugins it names are not usable/)
  t.match(output, /\/extra_config\/plugin~1http-server\/name\/0: "request-ids" is not a registered plugin \(registered: request-id, strip-headers\); did you mean "request-id"\?/)
  t.match(output, /\/endpoints\/0\/backend\/0\/extra_config\/plugin~1req-resp-modifier\/name\/0: plugin "strip-headers" \(.*strip\.js\) has no "backend" factory, which plugin\/req-resp-modifier on a backend needs; it has "endpoint"/)
  t.match(output, /\/endpoints\/0\/backend\/0\/extra_config\/plugin~1http-client\/name: plugin "request-id" \(.*ids\.js\) has no "client" factory/)

  const none = await cli('check', '-c', writeConfig({ version: 3, extra_config: { 'plugin/http-server': { name: ['request-id'] } }, endpoints: [] }))
  t.equal(none.code, 1)
  t.match(none.output, /\/extra_config\/plugin~1http-server\/name\/0: "request-id" is not a registered plugin: no plugins are loaded/)

  const valid = await cli('check', '-c', writeConfig({ version: 3, plugin: { folder, pattern: '.js' }, extra_config: { 'plugin/http-server': { name: 'request-id' } }, endpoints: [] }))
  t.equal(valid.code, 0, valid.output)
  t.match(valid.output, /valid \(0 endpoints, 2 plugins\)/)
})

t.test('run: a plugin whose factory refuses its block stops the start with the plugin and its place named', async (t) => {
  const folder = pluginFolder({
    'picky.js': `export default { name: 'picky', server: (config) => { if (!config?.key) throw new Error('"key" is required'); return (next) => next } }`,
    'lazy.js': `export default { name: 'lazy', server: () => 'not a function' }`,
  })
  const picky = await cli('run', '-c', writeConfig({ version: 3, plugin: { folder, pattern: 'picky' }, extra_config: { 'plugin/http-server': { name: ['picky'] } }, endpoints: [] }))
  t.equal(picky.code, 1)
  t.match(picky.output, /plugin "picky" \(.*picky\.js\), used by plugin\/http-server at service: its "server" factory threw: "key" is required/)
  const lazy = await cli('run', '-c', writeConfig({ version: 3, plugin: { folder, pattern: 'lazy' }, extra_config: { 'plugin/http-server': { name: ['lazy'] } }, endpoints: [] }))
  t.equal(lazy.code, 1)
  t.match(lazy.output, /plugin "lazy" .*: its "server" factory returned a string, not a middleware function/)
})

t.test('a plugin module that keeps a timer open does not keep check or a stopped gateway alive', async (t) => {
  const folder = pluginFolder({ 'ticker.js': "setInterval(() => {}, 1000)\nexport default { name: 'ticker', server: () => (next) => next }" })
  const config = { version: 3, plugin: { folder, pattern: '.js' }, extra_config: { 'plugin/http-server': { name: ['ticker'] } }, endpoints: [] }
  const within = async (exited: Promise<number | null>, kill: () => void) => {
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), 10_000)))
    const outcome = await Promise.race([exited, late])
    clearTimeout(timer)
    if (outcome === 'still running') kill()
    return outcome
  }
  const checked = runNode('dist/bin/rxgate.js', ['check', '-c', writeConfig(config)])
  t.equal(await within(checked.exited, () => checked.child.kill('SIGKILL')), 0, 'check exited')
  const { gateway } = await runGateway(t, config)
  gateway.child.kill('SIGTERM')
  t.equal(await within(gateway.exited, () => gateway.child.kill('SIGKILL')), 0, 'stopped, and exited')
})
