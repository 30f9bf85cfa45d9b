import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { checkConfig, loadConfig } from '../../lib/config/index.js'

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/config/${name}`, import.meta.url))
// rxgate enforces everything the fixture asks for; allowUnenforced changes nothing
const allowUnenforced = { allowUnenforced: true }
const SERVED_WITHOUT = 'served without it, as --allow-unenforced asks'

t.test('a realistic KrakenD CE file loads, when its unenforced settings are allowed', async (t) => {
  const { config, warnings } = await loadConfig(fixture('krakend-ce.json'), allowUnenforced)
  t.same(warnings, [
    '/disable_rest: is a KrakenD setting rxgate does not implement: ignored',
    '/extra_config/router/hide_version_header: is a KrakenD setting rxgate does not implement: ignored',
  ])
  t.match(config, {
    name: 'Shop API gateway',
    port: 8081,
    timeout: 3000,
    cache_ttl: 300,
    idle_timeout: 90_000,
    read_header_timeout: 500,
    echo_endpoint: true,
    router: { return_error_msg: true, health_path: '/health', logger_skip_paths: ['/health'] },
    logging: { level: 'warn', prefix: '[KRAKEND]', stdout: true, syslog: false, format: 'default' },
  })
  t.same(
    config.endpoints.map((endpoint) => `${endpoint.method} ${endpoint.endpoint}`),
    ['GET /frontpage/{id}', 'GET /products', 'GET /orders/{id}', 'POST /orders', 'GET /status'],
  )

  const [frontpage, products, order, post, status] = config.endpoints
  t.match(frontpage, {
    timeout: 800,
    cache_ttl: 300,
    input_headers: ['Authorization', 'X-Request-Id'],
    proxy: { static: { strategy: 'incomplete', data: { degraded: true } }, sequential: false },
  })
  t.same(
    frontpage!.backend.map((backend) => backend.host),
    [['http://users.internal:8080'], ['http://users.internal:8080'], ['http://catalog.internal:8000'], ['http://users-v2.internal:8080']],
  )
  t.match(frontpage!.backend[0], { allow: ['name', 'email'], mapping: { email: 'contact' }, input_headers: ['Authorization', 'X-Request-Id'] })
  t.match(frontpage!.backend[1], { group: 'cart', http: { return_error_details: 'cart', return_error_code: false } })
  t.match(frontpage!.backend[2], { is_collection: true, mapping: { collection: 'posts' }, input_headers: [] })
  t.match(frontpage!.backend[3], { proxy: { shadow: true } })
  t.match(products, {
    output_encoding: 'json-collection',
    cache_ttl: 3600,
    input_query_strings: ['page', 'limit'],
    backend: [{ encoding: 'safejson', target: 'data', input_query_strings: ['page', 'limit'], proxy: { flatmap_filter: [{ type: 'move' }, { type: 'del' }] } }],
  })
  t.match(order, { proxy: { sequential: true }, backend: [{ url_pattern: '/orders/{id}' }, { url_pattern: '/users/{resp0_customer_id}', group: 'customer' }] })
  t.match(post, { output_encoding: 'no-op', input_headers: ['*'], backend: [{ method: 'POST', encoding: 'no-op', http: { return_error_code: true } }] })
  t.match(status, { proxy: { static: { strategy: 'always', data: { service: 'shop' } } }, backend: [{ encoding: 'string' }] })
})

t.test('its YAML twin gives the same normalized configuration', async (t) => {
  const json = await loadConfig(fixture('krakend-ce.json'), allowUnenforced)
  const yaml = await loadConfig(fixture('krakend-ce.yaml'), allowUnenforced)
  t.same(yaml, json)
})

t.test('checkConfig does the same from a value', async (t) => {
  const raw = JSON.parse(readFileSync(fixture('krakend-ce.json'), 'utf8')) as unknown
  t.same(checkConfig(raw, allowUnenforced), await loadConfig(fixture('krakend-ce.json'), allowUnenforced))
})

t.test('without allowUnenforced, the same file is valid: rxgate enforces every setting it asks for', async (t) => {
  const path = fixture('krakend-ce.json')
  t.same(await loadConfig(path), await loadConfig(path, allowUnenforced))
  const raw = JSON.parse(readFileSync(path, 'utf8')) as unknown
  t.same(checkConfig(raw), checkConfig(raw, allowUnenforced), 'checkConfig gives the same verdict')
})

t.test('a legacy name reads as its short one: a KrakenD 1 block is checked as the namespace it became', async (t) => {
  const raw = {
    version: 3,
    host: ['http://api'],
    extra_config: { 'telemetry/influx': {}, 'github_com/devopsfaith/krakend-gelf': {} },
    endpoints: [{ endpoint: '/a', extra_config: { 'github.com/devopsfaith/krakend-ratelimit/juju/router': { maxRate: 1 } }, backend: [{ url_pattern: '/a' }] }],
  }
  const problem = '/endpoints/0/extra_config/github.com~1devopsfaith~1krakend-ratelimit~1juju~1router: ' +
    'sets no limit: give max_rate (all clients together), client_max_rate (each client), or both'
  t.throws(() => checkConfig(raw), { code: 'RXGATE_ERR_CONFIG_INVALID', details: { problems: [problem] } }, "KrakenD 1's maxRate is not max_rate")
  t.throws(() => checkConfig(raw, allowUnenforced), { details: { problems: [problem] } }, 'an enforced namespace is not served without its limit')
  const fixed = { ...raw, endpoints: [{ ...raw.endpoints[0]!, extra_config: { 'github.com/devopsfaith/krakend-ratelimit/juju/router': { max_rate: 1 } } }] }
  t.same(checkConfig(fixed).warnings, ['extra_config namespaces rxgate does not implement are ignored: github_com/devopsfaith/krakend-gelf, telemetry/influx'])
  t.same(checkConfig(fixed).config.endpoints[0]!.middlewares, { 'qos/ratelimit/router': { max_rate: 1 } })
})

t.test('lint: unknown keys make the configuration invalid', async (t) => {
  const raw = {
    version: 3,
    host: ['http://api'],
    endpoints: [{ endpoint: '/a', methd: 'POST', backend: [{ url_pattern: '/a', alow: ['name'] }] }],
  }
  const { config, warnings } = checkConfig(raw)
  t.same(warnings, [
    '/endpoints/0/methd: is not a key rxgate knows; did you mean "method"?',
    '/endpoints/0/backend/0/alow: is not a key rxgate knows; did you mean "allow"?',
  ])
  t.equal(config.endpoints[0]!.method, 'GET', 'what the misspelled key meant is not guessed')
  t.throws(() => checkConfig(raw, { lint: true }), {
    code: 'RXGATE_ERR_CONFIG_INVALID',
    message:
      'the configuration is not valid (2 problems):\n' +
      '/endpoints/0/backend/0/alow: is not a key rxgate knows; did you mean "allow"?\n' +
      '/endpoints/0/methd: is not a key rxgate knows; did you mean "method"?',
  })
  const dir = t.testdir({ 'gateway.json': JSON.stringify(raw) })
  await t.rejects(loadConfig(join(dir, 'gateway.json'), { lint: true }), { code: 'RXGATE_ERR_CONFIG_INVALID', details: { problems: [/alow/, /methd/] } })
})

t.test('an invalid configuration lists every problem, one per line', async (t) => {
  const dir = t.testdir({
    'gateway.json': JSON.stringify({
      version: 3,
      timeout: '2 seconds',
      endpoints: [
        { endpoint: '/__health', backend: [{ host: ['http://a'], url_pattern: '/a' }] },
        { endpoint: '/b', backend: [{ host: ['http://b'], url_pattern: 'b/{id}' }] },
      ],
    }),
  })
  const path = join(dir, 'gateway.json')
  const problems = [
    '/endpoints/0/endpoint: "/__health" is reserved for the health endpoint',
    '/endpoints/1/backend/0/url_pattern: must start with "/" (got "b/{id}")',
    '/endpoints/1/backend/0/url_pattern: {id} is not a parameter of the endpoint "/b" (it has none)',
    '/timeout: must be a duration like "2s", "1500ms" or "1m30s" (got "2 seconds")',
  ]
  await t.rejects(loadConfig(path), {
    code: 'RXGATE_ERR_CONFIG_INVALID',
    message: `${path} is not valid (4 problems):\n${problems.join('\n')}`,
    details: { problems, path },
  })
  t.throws(() => checkConfig({ version: 3, port: -1 }), {
    code: 'RXGATE_ERR_CONFIG_INVALID',
    message: 'the configuration is not valid (1 problem):\n/port: must be >= 0 (got -1)',
    details: { problems: ['/port: must be >= 0 (got -1)'] },
  })
})

t.test('read errors pass through loadConfig', async (t) => {
  await t.rejects(loadConfig('gateway-that-is-not-here.yaml'), {
    code: 'RXGATE_ERR_CONFIG_READ',
    message: 'cannot read gateway-that-is-not-here.yaml: no such file',
  })
})

t.test('legacy namespace names work as the short ones', async (t) => {
  const { config, warnings } = checkConfig({
    version: 3,
    host: ['http://api'],
    extra_config: { 'github_com/luraproject/lura/router/gin': { disable_health: true } },
    endpoints: [
      {
        endpoint: '/a',
        extra_config: { 'github_com/devopsfaith/krakend/proxy': { static: { strategy: 'errored', data: { a: 1 } } } },
        backend: [{ url_pattern: '/a', extra_config: { 'github.com/devopsfaith/krakend/http': { return_error_code: true } } }],
      },
    ],
  })
  t.same(warnings, [])
  t.equal(config.router.disable_health, true)
  t.same(config.endpoints[0]!.proxy.static, { strategy: 'errored', data: { a: 1 } })
  t.equal(config.endpoints[0]!.backend[0]!.http.return_error_code, true)
})

t.test('setting warnings follow the namespace warning', async (t) => {
  const { warnings } = checkConfig({
    version: 3,
    host: ['http://api'],
    extra_config: { 'telemetry/influx': {} },
    endpoints: [{ endpoint: '/a', backend: [{ url_pattern: '/a', allow: ['x'], deny: ['y'] }] }],
  })
  t.same(warnings, [
    'extra_config namespaces rxgate does not implement are ignored: telemetry/influx',
    '/endpoints/0/backend/0/deny: is ignored: allow and deny are both set, and allow wins (as in KrakenD)',
  ])
})
