import t from 'tap'
import { normalizeConfig } from '../../lib/config/normalize.js'

t.test('defaults are filled in', async (t) => {
  const config = normalizeConfig({
    version: 3,
    host: ['http://api:8080'],
    endpoints: [{ endpoint: '/users/{id}', backend: [{ url_pattern: '/users/{id}' }] }],
  })
  t.same(config, {
    version: 3,
    name: '',
    port: 8080,
    timeout: 2000,
    output_encoding: 'json',
    debug_endpoint: false,
    echo_endpoint: false,
    dns_cache_ttl: 30000,
    use_h2c: false,
    router: {
      return_error_msg: false,
      disable_health: false,
      health_path: '/__health',
      disable_access_log: false,
      logger_skip_paths: [],
      auto_options: false,
      remove_extra_slash: false,
      disable_redirect_trailing_slash: false,
      disable_handle_method_not_allowed: false,
      disable_redirect_fixed_path: false,
      forwarded_by_client_ip: false,
      remote_ip_headers: ['X-Forwarded-For', 'X-Real-IP'],
      trusted_proxies: [],
    },
    max_nesting_depth: 10000,
    redis: {},
    middlewares: {},
    endpoints: [
      {
        endpoint: '/users/{id}',
        method: 'GET',
        timeout: 2000,
        concurrent_calls: 1,
        input_headers: [],
        input_query_strings: [],
        output_encoding: 'json',
        backend: [
          {
            host: ['http://api:8080'],
            url_pattern: '/users/{id}',
            method: 'GET',
            encoding: 'json',
            is_collection: false,
            middlewares: {},
            input_headers: [],
            input_query_strings: [],
            disable_host_sanitize: false,
            sd: 'static',
            sd_scheme: 'http',
            http: { return_error_code: false },
            proxy: { shadow: false },
          },
        ],
        middlewares: {},
        proxy: { sequential: false },
      },
    ],
    ignored_namespaces: [],
  })
  t.notOk('cache_ttl' in config, 'an optional field is absent, not undefined')
  t.notOk('cache_ttl' in config.endpoints[0]!)
})

t.test('durations become milliseconds, cache TTLs seconds; zero means "not set"', async (t) => {
  const config = normalizeConfig({
    version: 3,
    host: ['http://api'],
    timeout: '1m30s',
    cache_ttl: '1h',
    read_timeout: '1.5s',
    write_timeout: '0',
    idle_timeout: '0s',
    read_header_timeout: '250ms',
    endpoints: [
      { endpoint: '/a', timeout: '800ms', cache_ttl: '90s', backend: [{ url_pattern: '/a' }] },
      { endpoint: '/b', timeout: '0s', cache_ttl: '0s', backend: [{ url_pattern: '/b' }] },
    ],
  })
  t.equal(config.timeout, 90_000)
  t.equal(config.cache_ttl, 3600)
  t.equal(config.read_timeout, 1500)
  t.equal(config.read_header_timeout, 250)
  t.notOk('write_timeout' in config)
  t.notOk('idle_timeout' in config)
  t.match(config.endpoints[0], { timeout: 800, cache_ttl: 90 })
  t.match(config.endpoints[1], { timeout: 90_000, cache_ttl: 3600 }, 'a zero takes the service value, as in KrakenD')
  t.equal(normalizeConfig({ version: 3, timeout: '0s', port: 0 }).timeout, 2000)
  t.equal(normalizeConfig({ version: 3, port: 0 }).port, 8080)
})

t.test('backends inherit the service host, sanitized', async (t) => {
  const config = normalizeConfig({
    version: 3,
    host: ['api:8080', 'HTTPS://api2/'],
    endpoints: [
      {
        endpoint: '/a',
        backend: [
          { url_pattern: '/a' },
          { url_pattern: '/b', host: [] },
          { url_pattern: '/c', host: ['users:9000/'] },
          { url_pattern: '/d', host: ['_users._tcp.consul'], sd: 'dns', disable_host_sanitize: true },
        ],
      },
    ],
  })
  t.same(
    config.endpoints[0]!.backend.map((backend) => backend.host),
    [['http://api:8080', 'https://api2'], ['http://api:8080', 'https://api2'], ['http://users:9000'], ['_users._tcp.consul']],
  )
})

t.test('backends inherit method and forwarding lists from their endpoint', async (t) => {
  const config = normalizeConfig({
    version: 3,
    host: ['http://api'],
    endpoints: [
      {
        endpoint: '/a',
        method: 'POST',
        input_headers: ['Authorization'],
        input_query_strings: ['page'],
        backend: [
          { url_pattern: '/a' },
          { url_pattern: '/b', method: 'PUT', input_headers: ['X-Tenant'], input_query_strings: [] },
          { url_pattern: '/c', input_headers: [''], input_query_strings: ['*'] },
        ],
      },
    ],
  })
  const [a, b, c] = config.endpoints[0]!.backend
  t.match(a, { method: 'POST', input_headers: ['Authorization'], input_query_strings: ['page'] })
  t.match(b, { method: 'PUT', input_headers: ['X-Tenant'], input_query_strings: ['page'] }, 'an empty list inherits')
  t.match(c, { method: 'POST', input_headers: [], input_query_strings: ['*'] }, '[""] forwards nothing')
})

t.test('output encodings and backend encodings', async (t) => {
  const config = normalizeConfig({
    version: 3,
    host: ['http://api'],
    output_encoding: 'negotiate',
    endpoints: [
      { endpoint: '/a', backend: [{ url_pattern: '/a', encoding: 'xml' }] },
      { endpoint: '/b', output_encoding: 'no-op', backend: [{ url_pattern: '/b', encoding: 'json' }] },
    ],
  })
  t.match(config.endpoints[0], { output_encoding: 'negotiate', backend: [{ encoding: 'xml' }] })
  t.match(config.endpoints[1], { output_encoding: 'no-op', backend: [{ encoding: 'no-op' }] }, 'no-op passes the body through')
})

t.test('namespaces land under their short names; unknown ones are listed once', async (t) => {
  const config = normalizeConfig({
    version: 3,
    host: ['http://api'],
    extra_config: {
      'github_com/luraproject/lura/router/gin': { return_error_msg: true, health_path: '/health', disable_access_log: true },
      'telemetry/gelf': { address: 'graylog:12201' },
      'security/policies': {},
    },
    endpoints: [
      {
        endpoint: '/a',
        extra_config: {
          'github.com/devopsfaith/krakend/proxy': {
            sequential: true,
            static: { data: { stub: true } },
            flatmap_filter: [{ type: 'del', args: ['x'], '@comment': 'dropped' }],
          },
          'qos/ratelimit/router': { max_rate: 10 },
          'telemetry/logging': {},
        },
        backend: [
          {
            url_pattern: '/a',
            extra_config: {
              'github.com/devopsfaith/krakend/http': { return_error_details: 'a', return_error_code: true },
              proxy: { shadow: true, flatmap_filter: [{ type: 'move', args: ['a', 'b'] }] },
              'modifier/martian': {},
            },
          },
          { url_pattern: '/b', extra_config: { 'github_com/devopsfaith/krakend/proxy': { shadow: false } } },
        ],
      },
    ],
  })
  t.match(config.router, { return_error_msg: true, health_path: '/health', disable_access_log: true, disable_health: false })
  const endpoint = config.endpoints[0]!
  t.same(endpoint.proxy, {
    static: { strategy: 'always', data: { stub: true } },
    sequential: true,
    flatmap_filter: [{ type: 'del', args: ['x'] }],
  })
  t.same(endpoint.backend[0]!.http, { return_error_details: 'a', return_error_code: true })
  t.same(endpoint.backend[0]!.proxy, { shadow: true, flatmap_filter: [{ type: 'move', args: ['a', 'b'] }] })
  t.same(endpoint.backend[1]!.proxy, { shadow: false })
  t.same(endpoint.middlewares, { 'qos/ratelimit/router': { max_rate: 10 } }, 'an implemented namespace reaches its middleware')
  t.same(config.ignored_namespaces, ['modifier/martian', 'security/policies', 'telemetry/gelf', 'telemetry/logging'], 'telemetry/logging is a service namespace')
})

t.test('the client IP settings of the router, and the rxgate namespace', async (t) => {
  const config = normalizeConfig({
    version: 3,
    extra_config: {
      router: {
        forwarded_by_client_ip: true,
        remote_ip_headers: ['X-Client-IP'],
        trusted_proxies: ['10.0.0.0/8', '::1'],
        disable_redirect_fixed_path: true,
      },
      rxgate: { max_nesting_depth: 64 },
    },
  })
  t.match(config.router, {
    forwarded_by_client_ip: true,
    remote_ip_headers: ['X-Client-IP'],
    trusted_proxies: ['10.0.0.0/8', '::1'],
    disable_redirect_fixed_path: true,
  })
  t.equal(config.max_nesting_depth, 64)
  t.same(config.ignored_namespaces, [], 'rxgate is a namespace rxgate implements')
  const unset = normalizeConfig({ version: 3, extra_config: { router: { remote_ip_headers: [] }, rxgate: {} } })
  t.same(unset.router.remote_ip_headers, ['X-Forwarded-For', 'X-Real-IP'], 'an empty list is "not set"')
  t.equal(unset.max_nesting_depth, 10000)
})

t.test('an endpoint flatmap with one backend is dropped, as KrakenD does not load it', async (t) => {
  const config = normalizeConfig({
    version: 3,
    host: ['http://api'],
    endpoints: [{ endpoint: '/a', extra_config: { proxy: { flatmap_filter: [{ type: 'del', args: ['x'] }] } }, backend: [{ url_pattern: '/a' }] }],
  })
  t.same(config.endpoints[0]!.proxy, { sequential: false })
})

t.test('empty manipulations are absent', async (t) => {
  const config = normalizeConfig({
    version: 3,
    host: ['http://api'],
    endpoints: [{ endpoint: '/a', backend: [{ url_pattern: '/a', allow: [], deny: [], group: '', target: '', mapping: {} }] }],
  })
  const backend = config.endpoints[0]!.backend[0]!
  for (const key of ['allow', 'deny', 'group', 'target', 'mapping']) t.notOk(key in backend, key)
})

t.test("tls, with KrakenD's defaults; none, or disabled, is plain HTTP", async (t) => {
  const tls = (block: unknown) => normalizeConfig({ version: 3, tls: block, endpoints: [] }).tls
  t.same(tls({ keys: [{ public_key: 'a.pem', private_key: 'a.key' }], public_key: 'b.pem', private_key: 'b.key', enable_mtls: true, ca_certs: ['ca.pem'] }), {
    keys: [
      { public_key: 'a.pem', private_key: 'a.key', at: '/tls/keys/0' },
      { public_key: 'b.pem', private_key: 'b.key', at: '/tls' },
    ],
    min_version: 'TLS13',
    max_version: 'TLS13',
    cipher_suites: [],
    curve_preferences: [],
    enable_mtls: true,
    ca_certs: ['ca.pem'],
    disable_system_ca_pool: false,
  })
  t.equal(tls({ disabled: true, keys: [{ public_key: 'a.pem', private_key: 'a.key' }] }), undefined)
  t.equal(tls(undefined), undefined)
  t.equal(normalizeConfig({ version: 3, use_h2c: true, endpoints: [] }).use_h2c, true)
})

t.test("telemetry/logging, under its name or krakend-gologging's, with KrakenD's defaults", async (t) => {
  const logging = (block: object, name = 'telemetry/logging') => normalizeConfig({ version: 3, extra_config: { [name]: block }, endpoints: [] }).logging
  t.same(logging({ level: 'WARNING' }), { level: 'warn', prefix: '', stdout: false, syslog: false, syslog_facility: 'local3', format: 'default' })
  t.same(logging({ level: 'CRITICAL', prefix: '[KRAKEND]', stdout: true, syslog: true, syslog_facility: 'local7', format: 'custom', custom_format: '%{message}' }, 'github_com/devopsfaith/krakend-gologging'), {
    level: 'fatal',
    prefix: '[KRAKEND]',
    stdout: true,
    syslog: true,
    syslog_facility: 'local7',
    format: 'custom',
    custom_format: '%{message}',
  })
  t.equal(normalizeConfig({ version: 3, endpoints: [] }).logging, undefined, 'absent: rxgate logs its own way')
})
