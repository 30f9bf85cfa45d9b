import t from 'tap'
import { json, startBackends } from '../../helpers/http-backend.js'
import { rawRequest } from '../../helpers/raw-request.js'
import { cli, runGateway, writeConfig } from '../../helpers/run-cli.js'

t.test('security/http: every header of the namespace, on 200, 500 and 404 answers', async (t) => {
  const [ok, down] = await startBackends(t, json({ ok: true }), json({}, 0, 503))
  const { base } = await runGateway(t, {
    extra_config: {
      'security/http': {
        sts_seconds: 31536000,
        sts_include_subdomains: true,
        ssl_proxy_headers: { 'X-Forwarded-Proto': 'https' },
        frame_deny: true,
        custom_frame_options_value: 'SAMEORIGIN',
        content_type_nosniff: true,
        browser_xss_filter: true,
        content_security_policy: "default-src 'self';",
        referrer_policy: 'strict-origin-when-cross-origin',
      },
    },
    endpoints: [
      { endpoint: '/ok', backend: [{ host: [ok!.url], url_pattern: '/' }] },
      { endpoint: '/down', backend: [{ host: [down!.url], url_pattern: '/' }] },
    ],
  })
  const headers = {
    'x-frame-options': 'SAMEORIGIN',
    'x-content-type-options': 'nosniff',
    'x-xss-protection': '1; mode=block',
    'content-security-policy': "default-src 'self';",
    'referrer-policy': 'strict-origin-when-cross-origin',
  }
  for (const [path, status] of [['/ok', 200], ['/down', 500], ['/nowhere', 404]] as const) {
    const https = await rawRequest(base, path, { headers: { 'x-forwarded-proto': 'https' } })
    t.equal(https.status, status)
    t.match(https.headers, { ...headers, 'strict-transport-security': 'max-age=31536000; includeSubDomains' }, `${status} over HTTPS: every header`)
    const plain = await rawRequest(base, path)
    t.match(plain.headers, headers, `${status} over plain HTTP: the same`)
    t.equal(plain.headers['strict-transport-security'], undefined, 'but HSTS, which browsers ignore over plain HTTP')
  }

  const forced = await runGateway(t, { extra_config: { 'security/http': { sts_seconds: 60, force_sts_header: true } }, endpoints: [] })
  t.equal((await rawRequest(forced.base, '/x')).headers['strict-transport-security'], 'max-age=60', 'force_sts_header: over plain HTTP too')
})

t.test('security/http: allowed_hosts refuses other hosts, as KrakenD does, with a 500', async (t) => {
  const [api] = await startBackends(t, json({ ok: true }))
  const endpoints = [{ endpoint: '/ok', backend: [{ host: [api!.url], url_pattern: '/' }] }]
  const { base } = await runGateway(t, {
    extra_config: { 'github_com/devopsfaith/krakend-httpsecure': { allowed_hosts: ['api.example.com:443', 'api.example.com'], host_proxy_headers: ['X-Forwarded-Host'] } },
    endpoints,
  })
  t.equal((await rawRequest(base, '/ok', { headers: { host: 'api.example.com' } })).status, 200)
  t.equal((await rawRequest(base, '/ok', { headers: { host: 'API.EXAMPLE.COM:443' } })).status, 200)
  const refused = await rawRequest(base, '/ok', { headers: { host: 'attacker.example' } })
  t.equal(refused.status, 500)
  t.same(JSON.parse(refused.body), { error: { code: 'RXGATE_ERR_BAD_HOST', message: 'the host "attacker.example" is not served here' } })
  t.equal(api!.seen.length, 2, 'a refused host never reaches a backend')
  t.equal((await rawRequest(base, '/ok', { headers: { host: '10.0.0.1', 'x-forwarded-host': 'api.example.com' } })).status, 200, 'behind a proxy, its header names the host')
  t.equal((await rawRequest(base, '/nowhere', { headers: { host: 'attacker.example' } })).status, 500, 'before routing: any path')

  const regex = await runGateway(t, { extra_config: { 'security/http': { allowed_hosts: ['[a-z]+\\.example\\.com'], allowed_hosts_are_regex: true } }, endpoints })
  t.equal((await rawRequest(regex.base, '/ok', { headers: { host: 'shop.example.com' } })).status, 200)
  t.equal((await rawRequest(regex.base, '/ok', { headers: { host: 'shop.example.com.attacker.example' } })).status, 500, 'the whole host must match')

  const development = await runGateway(t, { extra_config: { 'security/http': { allowed_hosts: ['api.example.com'], is_development: true } }, endpoints })
  t.equal((await rawRequest(development.base, '/ok', { headers: { host: 'localhost' } })).status, 200, 'is_development: any host')
})

t.test('security/http: ssl_redirect sends plain HTTP to https://', async (t) => {
  const [api] = await startBackends(t, json({ ok: true }))
  const endpoints = [{ endpoint: '/ok', backend: [{ host: [api!.url], url_pattern: '/' }] }]
  const { base } = await runGateway(t, { extra_config: { 'security/http': { ssl_redirect: true, ssl_proxy_headers: { 'X-Forwarded-Proto': 'https' } } }, endpoints })
  const moved = await rawRequest(base, '/ok?page=2', { headers: { host: 'api.example.com' } })
  t.equal(moved.status, 301)
  t.equal(moved.headers.location, 'https://api.example.com/ok?page=2')
  t.equal((await rawRequest(base, '/ok', { headers: { 'x-forwarded-proto': 'https' } })).status, 200, 'already HTTPS, as the proxy says: served')
  t.equal(api!.seen.length, 1)

  const sslHost = await runGateway(t, { extra_config: { 'security/http': { ssl_redirect: true, ssl_host: 'secure.example.com:8443' } }, endpoints })
  t.equal((await rawRequest(sslHost.base, '/ok', { headers: { host: 'api.example.com' } })).headers.location, 'https://secure.example.com:8443/ok')
})

t.test('security/http: check reads every key, with its JSON path', async (t) => {
  const { code, output } = await cli(
    'check',
    '-c',
    writeConfig({
      version: 3,
      extra_config: {
        'security/http': {
          allowed_hosts: ['(unclosed'],
          allowed_hosts_are_regex: true,
          sts_seconds: -1,
          referrer_policy: 'same-origin\nSet-Cookie: a=b',
        },
      },
      endpoints: [],
    }),
  )
  t.equal(code, 1)
  t.match(output, /\/extra_config\/security~1http\/allowed_hosts\/0: is not a valid regular expression \(Go's RE2 syntax\): missing \)/)
  t.match(output, /\/extra_config\/security~1http\/sts_seconds: must be >= 0/)
  t.match(output, /\/extra_config\/security~1http\/referrer_policy: must not hold control characters/)

  const warned = await cli(
    'check',
    '-c',
    writeConfig({ version: 3, extra_config: { 'security/http': { hosts_proxy_headers: ['X-Forwarded-Host'], hpkp_public_key: 'pin-sha256="base64=="' } }, endpoints: [] }),
  )
  t.equal(warned.code, 0)
  t.match(warned.output, /\/extra_config\/security~1http\/hosts_proxy_headers: is not a key rxgate knows; did you mean "host_proxy_headers"\?/)
  t.match(warned.output, /\/extra_config\/security~1http\/hpkp_public_key: is a KrakenD setting rxgate does not implement: ignored/)
})
