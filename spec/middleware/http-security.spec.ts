import { map, throwError } from 'rxjs'
import t from 'tap'
import { gateway } from '../../lib/gateway.js'
import { httpSecurity, httpSecurityProblems } from '../../lib/middleware/http-security.js'
import { rawRequest } from '../helpers/raw-request.js'
import { quiet, serveGateway } from '../helpers/serve-gateway.js'

const SECURITY_HEADERS = [
  'strict-transport-security',
  'x-frame-options',
  'x-content-type-options',
  'x-xss-protection',
  'content-security-policy',
  'referrer-policy',
  'public-key-pins',
]
const securityHeadersOf = (headers: Record<string, unknown>) => Object.fromEntries(SECURITY_HEADERS.filter((name) => name in headers).map((name) => [name, headers[name]]))

t.test('every answer carries the headers asked for: a success, a failure, a 404', async (t) => {
  const gw = gateway(quiet)
    .use(
      httpSecurity({
        frame_deny: true,
        content_type_nosniff: true,
        browser_xss_filter: true,
        content_security_policy: "default-src 'self';",
        referrer_policy: 'same-origin',
        sts_seconds: 31536000,
        sts_include_subdomains: true,
        hpkp_public_key: 'pin-sha256="base64=="; max-age=10',
      }),
    )
    .get('/ok', map(() => ({ ok: true })))
    .get('/broken', () => throwError(() => new Error('boom')))
  const base = await serveGateway(t, gw)
  const plain = {
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'x-xss-protection': '1; mode=block',
    'content-security-policy': "default-src 'self';",
    'referrer-policy': 'same-origin',
  }
  for (const [path, status] of [['/ok', 200], ['/broken', 500], ['/nowhere', 404]] as const) {
    const answer = await rawRequest(base, path)
    t.equal(answer.status, status)
    t.same(securityHeadersOf(answer.headers), plain, `${status}: the headers, without Strict-Transport-Security over plain HTTP nor HPKP`)
  }
  const none = await serveGateway(t, gateway(quiet).use(httpSecurity({})).get('/ok', map(() => ({}))))
  t.same(securityHeadersOf((await rawRequest(none, '/ok')).headers), {}, 'nothing asked: nothing added')
})

t.test('Strict-Transport-Security: on HTTPS as ssl_proxy_headers tell it, or always with force_sts_header', async (t) => {
  const behindProxy = await serveGateway(
    t,
    gateway(quiet).use(httpSecurity({ sts_seconds: 300, ssl_proxy_headers: { 'X-Forwarded-Proto': 'https' } })).get('/ok', map(() => ({}))),
  )
  t.equal((await rawRequest(behindProxy, '/ok', { headers: { 'x-forwarded-proto': 'https' } })).headers['strict-transport-security'], 'max-age=300')
  t.equal((await rawRequest(behindProxy, '/ok', { headers: { 'x-forwarded-proto': 'HTTPS' } })).headers['strict-transport-security'], undefined, 'the value is compared exactly, as unrolled/secure does')
  t.equal((await rawRequest(behindProxy, '/ok')).headers['strict-transport-security'], undefined, 'plain HTTP: browsers ignore it there')

  const forced = await serveGateway(t, gateway(quiet).use(httpSecurity({ sts_seconds: 60, sts_include_subdomains: true, force_sts_header: true })))
  t.equal((await rawRequest(forced, '/x')).headers['strict-transport-security'], 'max-age=60; includeSubDomains')

  const development = await serveGateway(t, gateway(quiet).use(httpSecurity({ sts_seconds: 60, force_sts_header: true, is_development: true })))
  t.equal((await rawRequest(development, '/x')).headers['strict-transport-security'], undefined, 'is_development turns it off')
})

t.test('custom_frame_options_value wins over frame_deny; $NONCE becomes a new nonce on each answer', async (t) => {
  const base = await serveGateway(
    t,
    gateway(quiet).use(httpSecurity({ frame_deny: true, custom_frame_options_value: 'SAMEORIGIN', content_security_policy: "script-src $NONCE 'self'" })),
  )
  const [first, second] = await Promise.all([rawRequest(base, '/x'), rawRequest(base, '/x')])
  t.equal(first!.headers['x-frame-options'], 'SAMEORIGIN')
  const nonce = /^script-src 'nonce-([A-Za-z0-9+/=]{24})' 'self'$/
  t.match(first!.headers['content-security-policy'], nonce)
  t.match(second!.headers['content-security-policy'], nonce)
  t.not(first!.headers['content-security-policy'], second!.headers['content-security-policy'], 'a nonce is never reused')
})

t.test('allowed_hosts: other hosts are refused with a 500, as KrakenD answers them', async (t) => {
  const gw = gateway(quiet)
    .use(httpSecurity({ allowed_hosts: ['api.example.com', 'api.example.com:8443'], host_proxy_headers: ['X-Forwarded-Host'], frame_deny: true }))
    .get('/ok', map(() => ({ ok: true })))
  const base = await serveGateway(t, gw)
  t.equal((await rawRequest(base, '/ok', { headers: { host: 'api.example.com' } })).status, 200)
  t.equal((await rawRequest(base, '/ok', { headers: { host: 'API.Example.COM:8443' } })).status, 200, 'letter case is ignored; the port counts')
  const refused = await rawRequest(base, '/ok', { headers: { host: 'evil.example.net' } })
  t.equal(refused.status, 500)
  t.same(JSON.parse(refused.body), { error: { code: 'RXGATE_ERR_BAD_HOST', message: 'the host "evil.example.net" is not served here' } })
  t.equal(refused.headers['x-frame-options'], undefined, 'a refusal is not a served answer: no security headers')
  t.equal((await rawRequest(base, '/ok', { headers: { host: 'api.example.com:9999' } })).status, 500, 'another port is another host')
  t.equal((await rawRequest(base, '/ok', { headers: { host: 'evil.example.net', 'x-forwarded-host': 'api.example.com' } })).status, 200, 'a proxy header, when present, names the host')
  t.equal((await rawRequest(base, '/ok', { headers: { host: 'api.example.com', 'x-forwarded-host': 'evil.example.net' } })).status, 500)

  const regex = await serveGateway(t, gateway(quiet).use(httpSecurity({ allowed_hosts: ['(www|api)\\.example\\.com', '.*\\.internal'], allowed_hosts_are_regex: true })))
  t.equal((await rawRequest(regex, '/x', { headers: { host: 'api.example.com' } })).status, 404)
  t.equal((await rawRequest(regex, '/x', { headers: { host: 'db.internal' } })).status, 404)
  t.equal((await rawRequest(regex, '/x', { headers: { host: 'api.example.com.evil.net' } })).status, 500, 'each expression matches the whole host')

  const development = await serveGateway(t, gateway(quiet).use(httpSecurity({ allowed_hosts: ['api.example.com'], is_development: true })))
  t.equal((await rawRequest(development, '/x', { headers: { host: 'localhost' } })).status, 404, 'is_development lets any host in')
})

t.test('ssl_redirect: plain HTTP is sent to https://, with its path and query', async (t) => {
  const gw = gateway(quiet).use(httpSecurity({ ssl_redirect: true, ssl_proxy_headers: { 'X-Forwarded-Proto': 'https' }, frame_deny: true })).get('/ok', map(() => ({})))
  const base = await serveGateway(t, gw)
  const moved = await rawRequest(base, '/ok?a=1&b=%20', { headers: { host: 'api.example.com' } })
  t.equal(moved.status, 301)
  t.equal(moved.headers.location, 'https://api.example.com/ok?a=1&b=%20')
  const post = await rawRequest(base, '/ok', { method: 'POST', headers: { host: 'api.example.com:8080' } })
  t.same([post.status, post.headers.location], [301, 'https://api.example.com:8080/ok'], 'every method, as unrolled/secure')
  const served = await rawRequest(base, '/ok', { headers: { 'x-forwarded-proto': 'https' } })
  t.equal(served.status, 200, 'HTTPS, as the proxy says: served')
  t.equal(served.headers['x-frame-options'], 'DENY')

  const sslHost = await serveGateway(t, gateway(quiet).use(httpSecurity({ ssl_redirect: true, ssl_host: 'secure.example.com' })))
  t.equal((await rawRequest(sslHost, '/a/b', { headers: { host: 'api.example.com' } })).headers.location, 'https://secure.example.com/a/b')
  const development = await serveGateway(t, gateway(quiet).use(httpSecurity({ ssl_redirect: true, is_development: true })))
  t.equal((await rawRequest(development, '/x')).status, 404, 'is_development: no redirect')
})

t.test('bad options fail when the middleware is made, not per request', async (t) => {
  t.throws(() => httpSecurity({ custom_frame_options_value: 'DENY\r\nSet-Cookie: a=b' }), { code: 'RXGATE_ERR_BAD_ARGUMENT' })
  t.throws(() => httpSecurity({ allowed_hosts: ['(api'], allowed_hosts_are_regex: true }), { code: 'RXGATE_ERR_BAD_ARGUMENT', message: /allowed_hosts\[0\]/ })
  t.match(httpSecurityProblems({ allowed_hosts: ['ok\\.example', '(api'], allowed_hosts_are_regex: true }), [{ path: '/allowed_hosts/1', message: /missing \)/ }])
  t.same(httpSecurityProblems({ allowed_hosts: ['(api'] }), [], 'not regular expressions: nothing to compile')
})
