import t from 'tap'
import { validateConfig } from '../../lib/config/validate.js'

/** A valid configuration with one endpoint; `change` edits a copy. */
function config(change: (raw: any) => void = () => undefined): unknown {
  const raw = {
    version: 3,
    host: ['http://api:8080'],
    endpoints: [{ endpoint: '/users/{id}', backend: [{ url_pattern: '/users/{id}' }] }],
  }
  change(raw)
  return raw
}

const endpoint = (path: string, backend: object = { url_pattern: '/x' }, more: object = {}) => ({
  endpoint: path,
  backend: [backend],
  ...more,
})

t.test('a valid configuration has no problems', async (t) => {
  t.same(validateConfig(config()), { problems: [], warnings: [] })
})

t.test('every schema problem at once, each with its JSON pointer', async (t) => {
  const { problems } = validateConfig({
    version: 2,
    host: ['http://api'],
    port: '8080',
    timeout: 2000,
    extra_config: { router: { health_path: 'health', disable_health: 'yes' } },
    endpoints: [
      { endpoint: '/a', backend: [{ url_pattern: '/a' }] },
      { endpoint: '/b', backend: [{ url_pattern: '/b' }] },
      { endpoint: '/c', backend: [{ url_pattern: '/c' }] },
      {
        endpoint: 'd/{id}',
        method: 'get',
        concurrent_calls: 0,
        input_headers: ['Accept', 'Accept'],
        backend: [{ url_pattern: 'users/{id}', encoding: 'bson', mapping: { a: 1 } }, { host: 'http://x' }],
      },
      { backend: [] },
    ],
  })
  t.same(problems, [
    '/endpoints/3/backend/0/encoding: must be one of "json", "safejson", "xml", "rss", "string", "no-op" (got "bson")',
    '/endpoints/3/backend/0/mapping/a: must be a string (got 1)',
    '/endpoints/3/backend/0/url_pattern: must start with "/" (got "users/{id}")',
    '/endpoints/3/backend/1/host: must be an array (got "http://x")',
    '/endpoints/3/backend/1/url_pattern: is required',
    '/endpoints/3/concurrent_calls: must be >= 1 (got 0)',
    '/endpoints/3/endpoint: must be a path starting with "/", without ":" (write parameters as {name}) (got "d/{id}")',
    '/endpoints/3/input_headers: must not repeat "Accept" (items 0 and 1)',
    '/endpoints/3/method: must be one of "GET", "POST", "PUT", "PATCH", "DELETE" (got "get")',
    '/endpoints/4/backend: must not be empty',
    '/endpoints/4/endpoint: is required',
    '/extra_config/router/disable_health: must be a boolean (got "yes")',
    '/extra_config/router/health_path: must be a path starting with "/" (got "health")',
    '/port: must be an integer (got "8080")',
    '/timeout: must be a duration like "2s", "1500ms" or "1m30s" (got 2000)',
    '/version: must be 3 (rxgate reads KrakenD configuration format v3) (got 2)',
  ])
})

t.test('the root must be an object with a version', async (t) => {
  t.same(validateConfig([]).problems, ['(root): must be an object (got an array)'])
  t.same(validateConfig(null).problems, ['(root): must be an object (got null)'])
  t.same(validateConfig({}).problems, ['/version: is required'])
})

t.test('durations are Go durations', async (t) => {
  for (const good of ['2s', '1500ms', '1m30s', '1.5s', '100us', '100µs', '10ns', '1h', '0']) {
    t.same(validateConfig(config((raw) => (raw.timeout = good))).problems, [], good)
  }
  for (const bad of ['2', '2 s', '2sec', '-1s', '', 's', '1d', '1.s']) {
    t.same(
      validateConfig(config((raw) => (raw.endpoints[0].timeout = bad))).problems,
      [`/endpoints/0/timeout: must be a duration like "2s", "1500ms" or "1m30s" (got ${JSON.stringify(bad)})`],
      bad,
    )
  }
  t.same(validateConfig(config((raw) => (raw.cache_ttl = 3600))).problems, [
    '/cache_ttl: must be a duration like "2s", "1500ms" or "1m30s" (got 3600)',
  ])
})

t.test('enum values are checked', async (t) => {
  const { problems } = validateConfig(
    config((raw) => {
      raw.output_encoding = 'rss'
      raw.endpoints[0].output_encoding = 'fast-json'
      raw.endpoints[0].backend[0].sd = 'consul'
      raw.endpoints[0].extra_config = { proxy: { static: { strategy: 'sometimes', data: {} } } }
    }),
  )
  t.same(problems, [
    '/endpoints/0/backend/0/sd: must be one of "static", "dns" (got "consul")',
    '/endpoints/0/extra_config/proxy/static/strategy: must be one of "always", "success", "complete", "errored", "incomplete" (got "sometimes")',
    '/endpoints/0/output_encoding: must be one of "json", "json-collection", "string", "no-op", "negotiate", "xml", "yaml" (got "fast-json")',
    '/output_encoding: must be one of "json", "json-collection", "string", "no-op", "negotiate", "xml", "yaml" (got "rss")',
  ])
})

t.test('namespaces rxgate implements are validated, under any of their names', async (t) => {
  const { problems } = validateConfig(
    config((raw) => {
      raw.extra_config = { 'github_com/luraproject/lura/router/gin': { return_error_msg: 1 } }
      raw.endpoints[0].extra_config = {
        'github.com/devopsfaith/krakend/proxy': { sequential: 'true', static: { strategy: 'always' } },
      }
      raw.endpoints[0].backend[0].extra_config = {
        'backend/http': { return_error_details: '' },
        proxy: { shadow: 'no', flatmap_filter: [{ type: 'move', args: ['a'] }, { type: 'del', args: [] }, { args: ['a'] }] },
      }
    }),
  )
  t.same(problems, [
    '/endpoints/0/backend/0/extra_config/backend~1http/return_error_details: must not be empty',
    '/endpoints/0/backend/0/extra_config/proxy/flatmap_filter/0/args: must hold exactly two paths for "move" and "append": [from, to] (got 1 item)',
    '/endpoints/0/backend/0/extra_config/proxy/flatmap_filter/1/args: must hold at least one path for "del" (got 0 items)',
    '/endpoints/0/backend/0/extra_config/proxy/flatmap_filter/2/type: is required',
    '/endpoints/0/backend/0/extra_config/proxy/shadow: must be a boolean (got "no")',
    '/endpoints/0/extra_config/github.com~1devopsfaith~1krakend~1proxy/sequential: must be a boolean (got "true")',
    '/endpoints/0/extra_config/github.com~1devopsfaith~1krakend~1proxy/static/data: is required',
    '/extra_config/github_com~1luraproject~1lura~1router~1gin/return_error_msg: must be a boolean (got 1)',
  ])
})

t.test('unknown namespaces and KrakenD settings rxgate ignores are warnings, as KrakenD allows them', async (t) => {
  const { problems, warnings } = validateConfig(
    config((raw) => {
      raw.$schema = 'https://www.krakend.io/schema/v2.4/krakend.json'
      raw.tls = { disabled: true, public_key: 'x' }
      raw['@comment'] = 'hello'
      raw.max_idle_connections = 150
      raw.extra_config = { 'telemetry/gelf': { address: 'graylog:12201' }, router: { hide_version_header: true } }
      raw.endpoints[0].extra_config = { 'modifier/martian': {}, proxy: { sequential_propagated_params: ['resp0'] } }
      raw.endpoints[0].backend[0].sd_scheme = 'https'
    }),
  )
  t.same(problems, [])
  t.same(warnings, [
    '/endpoints/0/extra_config/proxy/sequential_propagated_params: is a KrakenD setting rxgate does not implement: ignored',
    '/max_idle_connections: is a KrakenD setting rxgate does not implement: ignored',
    '/extra_config/router/hide_version_header: is a KrakenD setting rxgate does not implement: ignored',
  ], 'in the order of the file')
})

const UNENFORCED = 'remove it, or run with --allow-unenforced to serve without it'

t.test('a namespace that protects or shapes traffic, not enforced, fails closed at every scope', async (t) => {
  const raw = config((raw) => {
    raw.extra_config = { 'security/policies': {}, 'telemetry/gelf': {} }
    raw.endpoints[0].extra_config = { 'auth/api-keys': {}, 'validation/json-schema': {} }
    raw.endpoints[0].backend[0].extra_config = { 'validation/cel': {}, 'plugin/middleware': { name: ['p'] }, 'modifier/martian': {} }
  })
  const { problems, warnings } = validateConfig(raw)
  t.same(problems, [
    '/endpoints/0/backend/0/extra_config/plugin~1middleware: plugin/middleware is not enforced by rxgate: ' +
      `it would run the middleware plugins it names; ${UNENFORCED}`,
    '/endpoints/0/backend/0/extra_config/validation~1cel: validation/cel is not enforced by rxgate: ' +
      `it would reject the requests and responses for which its CEL expressions are false; ${UNENFORCED}`,
    `/endpoints/0/extra_config/auth~1api-keys: auth/api-keys is not enforced by rxgate: it would reject requests without a valid API key with 401; ${UNENFORCED}`,
    '/endpoints/0/extra_config/validation~1json-schema: validation/json-schema is not enforced by rxgate: ' +
      `it would reject request bodies that do not match its JSON Schema with 400; ${UNENFORCED}`,
    `/extra_config/security~1policies: security/policies is not enforced by rxgate: it would reject the requests and responses its policies refuse; ${UNENFORCED}`,
  ])
  t.same(warnings, [], 'the other unknown namespaces are for the one namespace warning (loadConfig)')

  const allowed = validateConfig(raw, { allowUnenforced: true })
  t.same(allowed.problems, [])
  t.same(allowed.warnings, [
    '/extra_config/security~1policies: security/policies is not enforced by rxgate: ' +
      'it would reject the requests and responses its policies refuse; served without it, as --allow-unenforced asks',
    '/endpoints/0/extra_config/auth~1api-keys: auth/api-keys is not enforced by rxgate: ' +
      'it would reject requests without a valid API key with 401; served without it, as --allow-unenforced asks',
    '/endpoints/0/extra_config/validation~1json-schema: validation/json-schema is not enforced by rxgate: ' +
      'it would reject request bodies that do not match its JSON Schema with 400; served without it, as --allow-unenforced asks',
    '/endpoints/0/backend/0/extra_config/validation~1cel: validation/cel is not enforced by rxgate: ' +
      'it would reject the requests and responses for which its CEL expressions are false; served without it, as --allow-unenforced asks',
    '/endpoints/0/backend/0/extra_config/plugin~1middleware: plugin/middleware is not enforced by rxgate: ' +
      'it would run the middleware plugins it names; served without it, as --allow-unenforced asks',
  ])
})

t.test('legacy names fail closed as their short ones, and unlisted names of the families get a generic sentence', async (t) => {
  const { problems } = validateConfig(
    config((raw) => {
      raw.extra_config = { 'github_com/devopsfaith/krakend-apikeys': {} }
      raw.endpoints[0].extra_config = { 'github.com/devopsfaith/krakend-jsonschema': {}, 'auth/gcp': {} }
      raw.endpoints[0].backend[0].extra_config = { 'github_com/devopsfaith/krakend-cel': {}, 'qos/new-thing': {} }
    }),
  )
  t.same(problems, [
    '/endpoints/0/backend/0/extra_config/github_com~1devopsfaith~1krakend-cel: validation/cel is not enforced by rxgate: ' +
      `it would reject the requests and responses for which its CEL expressions are false; ${UNENFORCED}`,
    `/endpoints/0/backend/0/extra_config/qos~1new-thing: qos/new-thing is not enforced by rxgate: it would limit, cache or cut traffic; ${UNENFORCED}`,
    '/endpoints/0/extra_config/auth~1gcp: auth/gcp is not enforced by rxgate: ' +
      `it would authenticate or authorize requests, and refuse the others; ${UNENFORCED}`,
    '/endpoints/0/extra_config/github.com~1devopsfaith~1krakend-jsonschema: validation/json-schema is not enforced by rxgate: ' +
      `it would reject request bodies that do not match its JSON Schema with 400; ${UNENFORCED}`,
    '/extra_config/github_com~1devopsfaith~1krakend-apikeys: auth/api-keys is not enforced by rxgate: ' +
      `it would reject requests without a valid API key with 401; ${UNENFORCED}`,
  ])
})

t.test('tls is served: its files are read at check time, each problem with its JSON path', async (t) => {
  const { problems } = validateConfig(config((raw) => (raw.tls = { keys: [{ public_key: '/nowhere/cert.pem', private_key: '/nowhere/key.pem' }] })))
  t.same(problems, ['/tls/keys/0/private_key: cannot read /nowhere/key.pem: no such file', '/tls/keys/0/public_key: cannot read /nowhere/cert.pem: no such file'])
  const noKeys = '/tls: needs a certificate and its private key: "keys": [{ "public_key": "cert.pem", "private_key": "key.pem" }] (or "disabled": true to serve plain HTTP)'
  const misspelled = validateConfig(config((raw) => (raw.tls = { disable: true })))
  t.same(misspelled.problems, [noKeys], 'KrakenD turns TLS off with "disabled": a typo does not serve plain HTTP')
  t.same(misspelled.warnings, ['/tls/disable: is not a key rxgate knows; did you mean "disabled"?'])
  t.same(validateConfig(config((raw) => (raw.tls = { disabled: true }))).problems, [], 'TLS turned off: plain HTTP is what the file asks')
  t.same(validateConfig(config((raw) => (raw.tls = {})), { allowUnenforced: true }).problems, [noKeys], 'enforced: --allow-unenforced does not make it plain HTTP')
  t.same(validateConfig(config((raw) => (raw.tls = { keys: [], min_version: 'TLS14', cipher_suites: 'all' }))).problems, [
    noKeys,
    '/tls/cipher_suites: must be an array (got "all")',
    '/tls/min_version: must be one of "SSL3.0", "TLS10", "TLS11", "TLS12", "TLS13" (got "TLS14")',
  ])
  t.same(validateConfig(config((raw) => (raw.use_h2c = 'yes'))).problems, ['/use_h2c: must be a boolean (got "yes")'])
})

t.test('misspelled keys at every level get the known key they most likely meant', async (t) => {
  const { problems, warnings } = validateConfig(
    config((raw) => {
      raw.Timeout = '3s'
      raw.extra_config = { router: { return_error_mgs: true }, rxgate: { max_nesting_dept: 10 } }
      raw.endpoints[0].methd = 'POST'
      raw.endpoints[0]['input-headers'] = ['Accept']
      raw.endpoints[0].extra_config = { proxy: { static: { data: { free: { form: true } }, stratgy: 'always' }, sequental: true } }
      raw.endpoints[0].backend[0].alow = ['name']
      raw.endpoints[0].backend[0].completely_unrelated = 1
      raw.endpoints[0].backend[0].extra_config = {
        proxy: { flatmap_filter: [{ type: 'del', args: ['a'], arg: ['b'] }] },
        'backend/http': { return_error_detail: 'x' },
      }
    }),
  )
  t.same(problems, [])
  t.same(warnings, [
    '/endpoints/0/backend/0/alow: is not a key rxgate knows; did you mean "allow"?',
    '/endpoints/0/backend/0/completely_unrelated: is not a key rxgate knows: ignored',
    '/endpoints/0/backend/0/extra_config/proxy/flatmap_filter/0/arg: is not a key rxgate knows; did you mean "args"?',
    '/endpoints/0/backend/0/extra_config/backend~1http/return_error_detail: is not a key rxgate knows; did you mean "return_error_details"?',
    '/endpoints/0/methd: is not a key rxgate knows; did you mean "method"?',
    '/endpoints/0/input-headers: is not a key rxgate knows; did you mean "input_headers"?',
    '/endpoints/0/extra_config/proxy/static/stratgy: is not a key rxgate knows; did you mean "strategy"?',
    '/endpoints/0/extra_config/proxy/sequental: is not a key rxgate knows; did you mean "sequential"?',
    '/Timeout: is not a key rxgate knows; did you mean "timeout"?',
    '/extra_config/router/return_error_mgs: is not a key rxgate knows; did you mean "return_error_msg"?',
    '/extra_config/rxgate/max_nesting_dept: is not a key rxgate knows; did you mean "max_nesting_depth"?',
  ], 'in the order of the file')
})

t.test('annotations are never reported, and old names are reported once', async (t) => {
  const { warnings } = validateConfig(
    config((raw) => {
      raw['@comment'] = 'x'
      raw.$id = 'x'
      raw['#note'] = 'x'
      raw.endpoints[0]['@comment'] = 'x'
      raw.endpoints[0].backend[0].whitelist = ['a']
      raw.endpoints[0].extra_config = { proxy: { '@comment': 'x' }, '@comment': 'x' }
    }),
  )
  t.same(warnings, ['/endpoints/0/backend/0/whitelist: is ignored: it is the old name of "allow" (KrakenD v2 format)'])
})

t.test('--lint: unknown keys and old names are problems; KrakenD settings rxgate ignores stay warnings', async (t) => {
  const { problems, warnings } = validateConfig(
    config((raw) => {
      raw.disable_rest = true
      raw.endpoints[0].methd = 'POST'
      raw.endpoints[0].headers_to_pass = ['Accept']
      raw.endpoints[0].backend[0].alow = ['name']
      raw.endpoints[0].backend[0].extra_config = { proxy: { shadw: true } }
    }),
    { lint: true },
  )
  t.same(problems, [
    '/endpoints/0/backend/0/alow: is not a key rxgate knows; did you mean "allow"?',
    '/endpoints/0/backend/0/extra_config/proxy/shadw: is not a key rxgate knows; did you mean "shadow"?',
    '/endpoints/0/headers_to_pass: is ignored: it is the old name of "input_headers" (KrakenD v2 format)',
    '/endpoints/0/methd: is not a key rxgate knows; did you mean "method"?',
  ])
  t.same(warnings, ['/disable_rest: is a KrakenD setting rxgate does not implement: ignored'])
})

t.test('the client IP settings of the router are checked', async (t) => {
  const { problems } = validateConfig(
    config((raw) => {
      raw.extra_config = {
        router: {
          forwarded_by_client_ip: 'yes',
          remote_ip_headers: ['X-Forwarded-For', 'Bad Header', 7],
          trusted_proxies: ['10.0.0.1', '172.16.0.1/12', '::1', 'fd00::/8', '10.0.0.0/33', '300.1.1.1', 'proxy.local', '10.0.0.0/8/1', 'fd00::/129', 3],
          disable_redirect_fixed_path: 1,
        },
      }
    }),
  )
  t.same(problems, [
    '/extra_config/router/disable_redirect_fixed_path: must be a boolean (got 1)',
    '/extra_config/router/forwarded_by_client_ip: must be a boolean (got "yes")',
    '/extra_config/router/remote_ip_headers/1: must be an HTTP header name (got "Bad Header")',
    '/extra_config/router/remote_ip_headers/2: must be an HTTP header name (got 7)',
    '/extra_config/router/trusted_proxies/4: must be an IP address or a CIDR range like "10.0.0.0/8" (got "10.0.0.0/33")',
    '/extra_config/router/trusted_proxies/5: must be an IP address or a CIDR range like "10.0.0.0/8" (got "300.1.1.1")',
    '/extra_config/router/trusted_proxies/6: must be an IP address or a CIDR range like "10.0.0.0/8" (got "proxy.local")',
    '/extra_config/router/trusted_proxies/7: must be an IP address or a CIDR range like "10.0.0.0/8" (got "10.0.0.0/8/1")',
    '/extra_config/router/trusted_proxies/8: must be an IP address or a CIDR range like "10.0.0.0/8" (got "fd00::/129")',
    '/extra_config/router/trusted_proxies/9: must be a string (got 3)',
  ])
  const legacy = validateConfig(config((raw) => (raw.extra_config = { 'github_com/luraproject/lura/router/gin': { trusted_proxies: ['nope'] } })))
  t.same(legacy.problems, [
    '/extra_config/github_com~1luraproject~1lura~1router~1gin/trusted_proxies/0: must be an IP address or a CIDR range like "10.0.0.0/8" (got "nope")',
  ])
})

t.test('the rxgate namespace: max_nesting_depth is a whole number of at least 1', async (t) => {
  for (const bad of [0, 1.5, '10']) {
    const { problems } = validateConfig(config((raw) => (raw.extra_config = { rxgate: { max_nesting_depth: bad } })))
    t.equal(problems.length, 1, String(bad))
    t.match(problems[0], /^\/extra_config\/rxgate\/max_nesting_depth: must be/)
  }
  t.same(validateConfig(config((raw) => (raw.extra_config = { rxgate: { max_nesting_depth: 64 } }))), { problems: [], warnings: [] })
  t.same(validateConfig(config((raw) => (raw.endpoints[0].extra_config = { rxgate: {} }))).problems, [], 'elsewhere it is just an unknown namespace')
})

t.test('reserved paths are refused', async (t) => {
  const { problems } = validateConfig(
    config((raw) => {
      raw.extra_config = { router: { health_path: '/healthz' } }
      raw.endpoints = [
        endpoint('/__health'),
        endpoint('/healthz'),
        endpoint('/__debug'),
        endpoint('/__debug/{anything}'),
        endpoint('/v1/__echo'),
        endpoint('/__echo/'),
        endpoint('/__healthy'),
        endpoint('/debug'),
      ]
    }),
  )
  t.same(problems, [
    '/endpoints/0/endpoint: "/__health" is reserved for the health endpoint',
    '/endpoints/1/endpoint: "/healthz" is reserved for the health endpoint',
    '/endpoints/2/endpoint: "/__debug" is reserved for the /__debug endpoint',
    '/endpoints/3/endpoint: "/__debug/{anything}" is reserved for the /__debug endpoint',
    '/endpoints/4/endpoint: "/v1/__echo" is reserved for the /__echo endpoint',
    '/endpoints/5/endpoint: "/__echo/" is reserved for the /__echo endpoint',
  ])
  const disabled = validateConfig(
    config((raw) => {
      raw.extra_config = { router: { health_path: '/healthz', disable_health: true } }
      raw.endpoints = [endpoint('/healthz')]
    }),
  )
  t.same(disabled.problems, [], 'a disabled health endpoint frees its path')
})

t.test('an endpoint and method are defined once', async (t) => {
  const { problems } = validateConfig(
    config((raw) => {
      raw.endpoints = [
        endpoint('/users/{id}'),
        endpoint('/users/{id}', undefined, { method: 'POST' }),
        endpoint('/users/{user}'),
        endpoint('/users/{id}', undefined, { method: 'POST' }),
        endpoint('/users/{id}/posts'),
      ]
    }),
  )
  t.same(problems, [
    '/endpoints/2: GET /users/{user} is already defined at /endpoints/0',
    '/endpoints/3: POST /users/{id} is already defined at /endpoints/1',
  ])
})

t.test('url_pattern placeholders must have a value', async (t) => {
  const { problems } = validateConfig(
    config((raw) => {
      raw.endpoints = [
        endpoint('/users/{id}', { url_pattern: '/users/{id}?fields={fields}&v={version}' }),
        endpoint('/posts', { url_pattern: '/posts/{id}' }),
        endpoint('/seq/{id}', { url_pattern: '/a/{id}/{resp0_user.hash}' }),
        {
          endpoint: '/chain/{id}',
          extra_config: { proxy: { sequential: true } },
          backend: [
            { url_pattern: '/orders/{id}/{resp0_x}' },
            { url_pattern: '/users/{resp0_customer.id}' },
            { url_pattern: '/users/{resp1_name}/{resp2_name}' },
          ],
        },
        endpoint('/me', { url_pattern: '/users/{JWT.sub}' }),
        endpoint('/bad/{id', { url_pattern: '/x' }),
        endpoint('/ok', { url_pattern: '/x/{id}}' }),
      ]
    }),
  )
  t.same(problems, [
    '/endpoints/0/backend/0/url_pattern: {fields} is not a parameter of the endpoint "/users/{id}" (it has {id})',
    '/endpoints/0/backend/0/url_pattern: {version} is not a parameter of the endpoint "/users/{id}" (it has {id})',
    '/endpoints/1/backend/0/url_pattern: {id} is not a parameter of the endpoint "/posts" (it has none)',
    '/endpoints/2/backend/0/url_pattern: {resp0_user.hash} needs "sequential": true in the endpoint\'s extra_config "proxy"',
    '/endpoints/3/backend/0/url_pattern: {resp0_x} uses the response of backend 0, but this is backend 0: only earlier backends have answered',
    '/endpoints/3/backend/2/url_pattern: {resp2_name} uses the response of backend 2, but this is backend 2: only earlier backends have answered',
    "/endpoints/4/backend/0/url_pattern: {JWT.sub} needs the endpoint's auth/validator: the claims come from the token it validates",
    '/endpoints/5/endpoint: has an unbalanced "{" or "}" (got "/bad/{id")',
    '/endpoints/6/backend/0/url_pattern: has an unbalanced "{" or "}" (got "/x/{id}}")',
  ])
})

t.test('every backend needs a host, its own or the service\'s', async (t) => {
  const { problems } = validateConfig(
    config((raw) => {
      delete raw.host
      raw.endpoints = [
        endpoint('/a', { url_pattern: '/a' }),
        endpoint('/b', { url_pattern: '/b', host: [] }),
        endpoint('/c', { url_pattern: '/c', host: ['http://c:80'] }),
      ]
    }),
  )
  t.same(problems, [
    '/endpoints/0/backend/0/host: is required: this backend has no host and the service has no default "host"',
    '/endpoints/1/backend/0/host: is required: this backend has no host and the service has no default "host"',
  ])
})

t.test('hosts are sanitized as KrakenD does, unless disable_host_sanitize', async (t) => {
  const { problems } = validateConfig(
    config((raw) => {
      raw.host = ['http://api:8080/v1']
      raw.listen_ip = 'localhost'
      raw.endpoints = [
        endpoint('/a', { url_pattern: '/a', host: ['api', 'https://api:8443/', 'http://[::1]:8080', 'ftp://api', 'http://127.0.0.1:1'] }),
        endpoint('/b', { url_pattern: '/b', host: ['_api._tcp.service.consul'], sd: 'dns', disable_host_sanitize: true }),
      ]
    }),
  )
  t.same(problems, [
    '/endpoints/0/backend/0/host/3: must be a scheme, host and port like "http://users:8080" (got "ftp://api"); set "disable_host_sanitize": true to use it unchanged',
    '/host/0: must be a scheme, host and port like "http://users:8080" (got "http://api:8080/v1"); set "disable_host_sanitize": true to use it unchanged',
    '/listen_ip: must be an IP address (got "localhost")',
  ])
})

t.test('a no-op endpoint has one backend', async (t) => {
  const { problems } = validateConfig(
    config((raw) => {
      raw.output_encoding = 'no-op'
      raw.endpoints = [{ endpoint: '/a', backend: [{ url_pattern: '/a' }, { url_pattern: '/b' }] }]
    }),
  )
  t.same(problems, ['/endpoints/0/backend: must hold exactly one backend when output_encoding is "no-op" (got 2)'])
})

t.test('a mapping may not rename two fields to one', async (t) => {
  const { problems } = validateConfig(
    config((raw) => (raw.endpoints[0].backend[0].mapping = { email: 'contact', phone: 'contact', name: 'full_name' })),
  )
  t.same(problems, ['/endpoints/0/backend/0/mapping: "email" and "phone" are both renamed to "contact"'])
})

t.test('a namespace written under two of its names is a problem', async (t) => {
  const { problems } = validateConfig(
    config((raw) => (raw.endpoints[0].extra_config = { proxy: {}, 'github_com/devopsfaith/krakend/proxy': {} })),
  )
  t.same(problems, ['/endpoints/0/extra_config: "proxy" and "github_com/devopsfaith/krakend/proxy" are the same namespace (proxy); keep one'])
})

t.test('what KrakenD ignores is a warning, not a problem', async (t) => {
  const { problems, warnings } = validateConfig(
    config((raw) => {
      raw.endpoints = [
        {
          endpoint: '/a',
          headers_to_pass: ['Accept'],
          extra_config: { proxy: { flatmap_filter: [{ type: 'del', args: ['x'] }] } },
          backend: [
            { url_pattern: '/a', allow: ['a'], deny: ['b'], group: 'g', whitelist: ['a'] },
            { url_pattern: '/b', group: 'g', extra_config: { 'backend/http': { return_error_code: true, return_error_details: 'b' } } },
          ],
        },
        {
          endpoint: '/b',
          output_encoding: 'no-op',
          extra_config: { proxy: { static: { data: {} }, flatmap_filter: [{ type: 'del', args: ['x'] }] } },
          backend: [{ url_pattern: '/b', encoding: 'json', group: 'g', is_collection: true }],
        },
        endpoint('/c', { url_pattern: '/c', encoding: 'string', is_collection: true }),
        endpoint('/e', { url_pattern: '/e', is_collection: true, target: 'data' }),
        endpoint('/d', { url_pattern: '/d', mapping: { a: 'b' }, extra_config: { proxy: { flatmap_filter: [{ type: 'del', args: ['x'] }] } } }),
      ]
    }),
  )
  t.same(problems, [])
  t.same(warnings, [
    '/endpoints/0/headers_to_pass: is ignored: it is the old name of "input_headers" (KrakenD v2 format)',
    '/endpoints/0/backend/0/whitelist: is ignored: it is the old name of "allow" (KrakenD v2 format)',
    '/endpoints/0/backend/0/deny: is ignored: allow and deny are both set, and allow wins (as in KrakenD)',
    '/endpoints/0/backend/1/group: "g" is also the group of backend 0: the later answer overwrites the earlier',
    '/endpoints/0/backend/1/extra_config: return_error_code is ignored: return_error_details is set too, and wins (as in KrakenD)',
    '/endpoints/1/extra_config/proxy/flatmap_filter: is ignored: an endpoint flatmap needs more than one backend (as in KrakenD); put it in the backend',
    '/endpoints/1/extra_config/proxy/static: is ignored: static data cannot be merged into a "no-op" response',
    '/endpoints/1/backend/0/encoding: is ignored: the endpoint\'s output_encoding "no-op" passes the body through undecoded',
    '/endpoints/1/backend/0: group, is_collection ignored: a "no-op" body is passed through untouched',
    '/endpoints/2/backend/0/is_collection: is ignored with encoding "string" (the body is wrapped under "content")',
    '/endpoints/3/backend/0/target: empties the response: a collection arrives as {"collection": [...]}, where no object can be targeted, so every answer is {}',
    '/endpoints/4/backend/0: mapping ignored: flatmap_filter replaces them (as in KrakenD)',
  ])
})

t.test('semantic checks survive a badly shaped configuration', async (t) => {
  for (const raw of [{ version: 3, endpoints: 'x' }, { version: 3, endpoints: [null, 1, { backend: 'x' }, { endpoint: 1, backend: [null, { url_pattern: 1 }] }] }]) {
    t.doesNotThrow(() => validateConfig(raw))
  }
})

t.test('plugins: the plugin key and the plugin/* blocks, under their short and legacy names, checked by the schema', async (t) => {
  const good = validateConfig(
    config((raw) => {
      raw.plugin = { folder: './plugins/', pattern: '.js' }
      raw.extra_config = { 'plugin/http-server': { name: ['request-id'], 'request-id': { header: 'X-Id' } } }
      raw.endpoints[0].extra_config = { 'github.com/devopsfaith/krakend/proxy/plugin': { name: ['strip-headers'], 'strip-headers': { headers: ['Cookie'] } } }
      raw.endpoints[0].backend[0].extra_config = {
        'plugin/req-resp-modifier': { name: ['strip-headers'] },
        'github_com/devopsfaith/krakend/transport/http/client/executor': { name: 'mock' },
      }
    }),
    { lint: true },
  )
  t.same(good, { problems: [], warnings: [] }, 'implemented: nothing fails closed, nothing is unknown')

  const bad = validateConfig(
    config((raw) => {
      raw.plugin = { folder: '', patern: '.js' }
      raw.extra_config = { 'github_com/devopsfaith/krakend/transport/http/server/handler': { name: [] } }
      raw.endpoints[0].extra_config = { 'plugin/req-resp-modifier': { name: 'strip-headers' } }
      raw.endpoints[0].backend[0].extra_config = { 'plugin/http-client': { name: ['a', 'b'] }, 'plugin/req-resp-modifier': { name: [''] } }
    }),
  )
  t.same(bad.problems, [
    '/endpoints/0/backend/0/extra_config/plugin~1http-client/name: must be the name of one plugin (a backend has one client plugin) (got an array)',
    '/endpoints/0/backend/0/extra_config/plugin~1req-resp-modifier/name/0: must be a plugin name (got "")',
    '/endpoints/0/extra_config/plugin~1req-resp-modifier/name: must be a non-empty list of plugin names (got "strip-headers")',
    '/extra_config/github_com~1devopsfaith~1krakend~1transport~1http~1server~1handler/name: must be a plugin name or a non-empty list of them (got 0 items)',
    '/plugin/folder: must not be empty',
    '/plugin/pattern: is required',
  ])
  t.same(bad.warnings, ['/plugin/patern: is not a key rxgate knows; did you mean "pattern"?'])
})

t.test("plugins: a key of a plugin/* block that names none of its plugins is read by nothing: a warning, an error with --lint", async (t) => {
  const raw = config((raw) => {
    raw.extra_config = { 'plugin/http-server': { name: ['request-id'], 'request-ids': { header: 'X-Id' }, '@comment': 'fine' } }
    raw.endpoints[0].backend[0].extra_config = { 'plugin/http-client': { name: 'mock', other: {} } }
  })
  const message = (names: string, hint = '') => `is not the block of a plugin this namespace names (it names ${names}): no plugin reads it${hint}`
  const expected = [
    `/extra_config/plugin~1http-server/request-ids: ${message('"request-id"', '; did you mean "request-id"?')}`,
    `/endpoints/0/backend/0/extra_config/plugin~1http-client/other: ${message('"mock"')}`,
  ]
  const { problems, warnings } = validateConfig(raw)
  t.same(problems, [])
  t.same(warnings, expected)
  t.same(validateConfig(raw, { lint: true }).problems, [...expected].reverse(), 'sorted by pointer as problems')
})
