import type { IncomingMessage, ServerResponse } from 'node:http'
import { fileURLToPath } from 'node:url'
import { compactVerify, importJWK } from 'jose'
import t from 'tap'
import { json, startBackends } from '../../helpers/http-backend.js'
import { jwkFile, startJwkServer, testKey } from '../../helpers/jose-keys.js'
import { cli, runGateway, writeConfig } from '../../helpers/run-cli.js'

const hour = () => Math.floor(Date.now() / 1000) + 3600

/** A backend that answers what it saw: the path and query, and the headers the auth middlewares set. */
const echo = (req: IncomingMessage, res: ServerResponse) =>
  json({ url: req.url, user: req.headers['x-user'] ?? null, department: req.headers['x-department'] ?? null, authorization: req.headers.authorization ?? null })(
    req,
    res,
  )

t.test('auth/validator from a file: JWK URL with cache and rotation, {JWT.x} in url_pattern, propagated claims, roles, legacy name', async (t) => {
  const first = await testKey('RS256', 'key-1')
  const second = await testKey('RS256', 'key-2')
  const jwks = await startJwkServer(t, [first.publicJwk])
  const [users] = await startBackends(t, echo)
  const validator = {
    alg: 'RS256',
    jwk_url: jwks.url,
    disable_jwk_security: true,
    cache: true,
    issuer: 'https://idp.example',
    roles_key: 'realm_access.roles',
    roles_key_is_nested: true,
    roles: ['reader'],
    propagate_claims: [['sub', 'X-User'], ['org.department', 'X-Department']],
  }
  const { base } = await runGateway(t, {
    endpoints: [
      {
        endpoint: '/me',
        extra_config: { 'auth/validator': validator },
        backend: [{ host: [users!.url], url_pattern: '/users/{JWT.sub}/orgs/{JWT.org.id}?groups={JWT.groups}' }],
      },
      {
        endpoint: '/legacy',
        extra_config: { 'github_com/devopsfaith/krakend-jose/validator': { ...validator, roles: [] } },
        backend: [{ host: [users!.url], url_pattern: '/legacy' }],
      },
    ],
  })
  const claims = { iss: 'https://idp.example', sub: 'ada/../admin', org: { id: 7, department: 'R&D' }, groups: ['a', 'b'], realm_access: { roles: ['reader'] }, exp: hour() }
  const call = (path: string, token?: string) => fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} })

  const me = await call('/me', await first.sign(claims))
  t.equal(me.status, 200)
  t.same(await me.json(), { url: '/users/ada%2F..%2Fadmin/orgs/7?groups=a%2Cb', user: 'ada/../admin', department: 'R&D', authorization: null })
  t.equal((await call('/legacy', await first.sign(claims))).status, 200, 'the legacy namespace name is the same validator')
  t.equal(jwks.hits, 2, 'the JWK set fetched once by each endpoint, kept for the next requests')

  const none = await call('/me')
  t.equal(none.status, 401)
  t.equal(none.headers.get('www-authenticate'), 'Bearer')
  const forbidden = await call('/me', await first.sign({ ...claims, realm_access: { roles: ['writer'] } }))
  t.equal(forbidden.status, 403)
  t.match(forbidden.headers.get('www-authenticate'), /^Bearer error="insufficient_scope"/)
  t.equal(users!.seen.length, 2, 'refused requests never reach the backend')

  jwks.keys = [first.publicJwk, second.publicJwk]
  await new Promise((resolve) => setTimeout(resolve, 1100))
  t.equal((await call('/me', await second.sign(claims))).status, 200, 'a token of a rotated-in key: the set is fetched again')
  t.equal(jwks.hits, 3)
})

t.test('auth/validator from a file, key by key: cookie, header, audience, scopes, leeway, x5t, preserved arrays, operation_debug, TLS of the JWK server', async (t) => {
  const { selfSignedCertificate } = await import('../../fixtures/tls.js')
  const { X509Certificate, createHash } = await import('node:crypto')
  const tls = selfSignedCertificate()
  const ca = writeConfig(tls.cert.toString(), 'ca.pem')
  const pin = createHash('sha256').update(new X509Certificate(tls.cert).publicKey.export({ type: 'spki', format: 'der' })).digest('base64')
  const key = await testKey('PS256', 'ps')
  const jwk = { ...key.publicJwk, x5t: 'cGlubmVk' }
  const secure = await startJwkServer(t, [jwk], tls)
  const [backend] = await startBackends(t, (req, res) => json({ groups: req.headers['x-groups'] ?? null })(req, res))
  const endpoint = (path: string, validator: Record<string, unknown>) => ({
    endpoint: path,
    extra_config: { 'auth/validator': { alg: 'PS256', jwk_local_path: jwkFile([jwk]), ...validator } },
    backend: [{ host: [backend!.url], url_pattern: '/' }],
  })
  const { base, gateway } = await runGateway(t, {
    endpoints: [
      endpoint('/cookie', { cookie_key: 'session' }),
      endpoint('/header', { auth_header_name: 'X-Token' }),
      endpoint('/audience', { audience: ['api', 'shop'] }),
      endpoint('/scopes', { scopes_key: 'scp', scopes: ['read', 'write'], scopes_matcher: 'all' }),
      endpoint('/leeway', { leeway: '2m' }),
      endpoint('/x5t', { key_identify_strategy: 'x5t' }),
      endpoint('/groups', { propagate_claims: [['groups', 'X-Groups']], propagate_claims_preserve_array: true }),
      endpoint('/debug', { roles: ['admin'], operation_debug: true }),
      {
        endpoint: '/pinned',
        extra_config: {
          'auth/validator': {
            alg: 'PS256',
            jwk_url: secure.url,
            jwk_local_ca: ca,
            jwk_fingerprints: [pin],
            cipher_suites: [49195, 49196],
            cache: true,
            cache_duration: 60,
            failed_jwk_key_cooldown: '5s',
          },
        },
        backend: [{ host: [backend!.url], url_pattern: '/' }],
      },
    ],
  })
  const exp = hour()
  const token = await key.sign({ exp, aud: ['api', 'shop'], scp: 'read write', groups: ['a', 'b'], roles: ['user'] })
  const status = async (path: string, headers: Record<string, string>) => (await fetch(base + path, { headers })).status
  const bearer = { authorization: `Bearer ${token}` }
  t.equal(await status('/cookie', { cookie: `session=${token}` }), 200, 'cookie_key')
  t.equal(await status('/cookie', {}), 401)
  t.equal(await status('/header', { 'x-token': `Bearer ${token}` }), 200, 'auth_header_name')
  t.equal(await status('/header', bearer), 401)
  t.equal(await status('/audience', bearer), 200, 'audience: both there')
  t.equal(await status('/audience', { authorization: `Bearer ${await key.sign({ exp, aud: 'api' })}` }), 401, 'audience: one missing')
  t.equal(await status('/scopes', bearer), 200, 'scopes: all of them')
  t.equal(await status('/scopes', { authorization: `Bearer ${await key.sign({ exp, scp: 'read' })}` }), 403)
  const lately = await key.sign({ exp: Math.floor(Date.now() / 1000) - 60 })
  t.equal(await status('/leeway', { authorization: `Bearer ${lately}` }), 200, 'leeway: expired a minute ago, within two')
  t.equal(await status('/audience', { authorization: `Bearer ${lately}` }), 401, 'and refused without it')
  t.equal(await status('/x5t', { authorization: `Bearer ${await key.sign({ exp }, { x5t: 'cGlubmVk', kid: 'other' })}` }), 200, 'key_identify_strategy x5t')
  t.same(await (await fetch(`${base}/groups`, { headers: bearer })).json(), { groups: 'a, b' }, 'propagate_claims_preserve_array')
  t.equal(await status('/debug', bearer), 403)
  await gateway.waitFor("auth/validator: the token's roles do not allow this endpoint")
  t.match(gateway.output(), /"level":50[^\n]*"reason":"roles"/, 'operation_debug: logged at error level, with the reason')
  t.equal(await status('/pinned', bearer), 200, 'jwk_local_ca, jwk_fingerprints, cipher_suites, cache_duration')
  t.equal(await status('/pinned', bearer), 200)
  t.equal(secure.hits, 1)
})

t.test('auth/validator at the service: the JWK shared cache serves every endpoint', async (t) => {
  const key = await testKey('ES256', 'k')
  const shared = await startJwkServer(t, [key.publicJwk])
  const apart = await startJwkServer(t, [key.publicJwk])
  const [backend] = await startBackends(t, echo)
  const endpoint = (path: string, url: string) => ({
    endpoint: path,
    extra_config: { 'auth/validator': { alg: 'ES256', jwk_url: url, disable_jwk_security: true, cache: true } },
    backend: [{ host: [backend!.url], url_pattern: '/' }],
  })
  const token = await key.sign({ exp: hour() })
  const withShared = await runGateway(t, { extra_config: { 'auth/validator': { shared_cache_duration: 900 } }, endpoints: [endpoint('/a', shared.url), endpoint('/b', shared.url)] })
  const without = await runGateway(t, { endpoints: [endpoint('/a', apart.url), endpoint('/b', apart.url)] })
  for (const { base } of [withShared, without]) {
    for (const path of ['/a', '/b']) t.equal((await fetch(base + path, { headers: { authorization: `Bearer ${token}` } })).status, 200)
  }
  t.equal(shared.hits, 1, 'shared: the second endpoint takes the first one\'s set')
  t.equal(apart.hits, 2, 'not shared: each endpoint fetches its own')
})

t.test('bad tokens and a JWK server that is down: 401s within the endpoint deadline, the gateway serving on', async (t) => {
  const key = await testKey('HS256', 'k')
  const hanging = await startJwkServer(t, [key.publicJwk])
  hanging.mode = 'hang'
  const [backend] = await startBackends(t, echo)
  const { base, gateway } = await runGateway(t, {
    max_header_bytes: 131_072,
    timeout: '3s',
    endpoints: [
      {
        endpoint: '/local',
        extra_config: { 'auth/validator': { alg: 'HS256', jwk_local_path: jwkFile([key.publicJwk]) } },
        backend: [{ host: [backend!.url], url_pattern: '/' }],
      },
      {
        endpoint: '/down',
        extra_config: { 'auth/validator': { alg: 'HS256', jwk_url: 'http://127.0.0.1:1/jwks.json', disable_jwk_security: true, cache: true } },
        backend: [{ host: [backend!.url], url_pattern: '/' }],
      },
      {
        endpoint: '/hanging',
        extra_config: { 'auth/validator': { alg: 'HS256', jwk_url: hanging.url, disable_jwk_security: true, cache: true } },
        backend: [{ host: [backend!.url], url_pattern: '/' }],
      },
    ],
  })
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const huge = `${b64({ alg: 'HS256', kid: 'k' })}.${b64({ sub: 'x'.repeat(64 * 1024) })}.${'A'.repeat(43)}`
  const signedHuge = await key.sign({ sub: 'x'.repeat(48 * 1024), exp: hour() })
  const none = `${b64({ alg: 'none', kid: 'k' })}.${b64({ sub: 'admin' })}.`
  const token = await key.sign({ exp: hour() })
  const call = (path: string, bearer: string) => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${bearer}` } })
  t.equal((await call('/local', huge)).status, 401, 'a token of 64 KB')
  t.equal((await call('/local', signedHuge)).status, 401, 'even well signed')
  t.equal((await call('/local', none)).status, 401, 'alg none')
  for (const path of ['/down', '/hanging']) {
    const started = Date.now()
    const res = await call(path, token)
    t.equal(res.status, 401, path)
    t.ok(Date.now() - started < 3000, `${path}: answered in ${Date.now() - started} ms`)
  }
  t.equal((await call('/local', token)).status, 200, 'still serving')
  t.equal(backend!.seen.length, 1)
  t.notMatch(gateway.output(), /"level":60|uncaught/i)
})

t.test('auth/signer from a file: a login endpoint answers signed tokens (local key, then a JWK URL, full serialization)', async (t) => {
  const symmetric = await testKey('HS256', 'sim2')
  const rsa = await testKey('RS256', 'rsa-1')
  const jwks = await startJwkServer(t, [rsa.privateJwk])
  const claims = { aud: 'http://api.example.com', sub: '1234567890qwertyuio', roles: ['role_a'], exp: 1735689600 }
  const [issuer] = await startBackends(t, json({ access_token: claims, refresh_token: { sub: claims.sub }, exp: 1735689600 }))
  const { base } = await runGateway(t, {
    endpoints: [
      {
        endpoint: '/token',
        method: 'POST',
        backend: [{ host: [issuer!.url], url_pattern: '/token-issuer' }],
        extra_config: {
          'auth/signer': { alg: 'HS256', kid: 'sim2', keys_to_sign: ['access_token', 'refresh_token'], jwk_local_path: jwkFile([symmetric.privateJwk]), disable_jwk_security: true },
        },
      },
      {
        endpoint: '/token-full',
        method: 'POST',
        backend: [{ host: [issuer!.url], url_pattern: '/token-issuer' }],
        extra_config: {
          'github.com/devopsfaith/krakend-jose/signer': { alg: 'RS256', kid: 'rsa-1', keys_to_sign: ['access_token'], jwk_url: jwks.url, disable_jwk_security: true, full: true },
        },
      },
    ],
  })
  const compact = (await (await fetch(`${base}/token`, { method: 'POST' })).json()) as Record<string, string>
  t.equal(compact.exp as unknown, 1735689600)
  const { payload, protectedHeader } = await compactVerify(compact.access_token!, await importJWK(symmetric.publicJwk, 'HS256'))
  t.same(JSON.parse(Buffer.from(payload).toString()), claims)
  t.same(protectedHeader, { alg: 'HS256', kid: 'sim2' })
  t.match(compact.refresh_token, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/)
  const full = (await (await fetch(`${base}/token-full`, { method: 'POST' })).json()) as Record<string, string>
  t.same(Object.keys(JSON.parse(full.access_token!)), ['payload', 'protected', 'signature'])
  t.same(full.refresh_token as unknown, { sub: claims.sub }, 'a key not listed stays as it is')
})

t.test('auth/client-credentials from a file: one token for concurrent requests, on its backend only', async (t) => {
  let issued = 0
  const [idp, orders, stock] = await startBackends(
    t,
    (_req, res) => json({ access_token: `t${++issued}`, token_type: 'bearer', expires_in: 3600 })(_req, res),
    echo,
    echo,
  )
  const { base } = await runGateway(t, {
    endpoints: [
      {
        endpoint: '/dashboard',
        backend: [
          {
            host: [orders!.url],
            url_pattern: '/orders',
            group: 'orders',
            extra_config: {
              'auth/client-credentials': { client_id: 'gw', client_secret: 'secret', token_url: `${idp!.url}/token`, scopes: 'orders:read', endpoint_params: { audience: ['orders'] } },
            },
          },
          { host: [stock!.url], url_pattern: '/stock', group: 'stock' },
        ],
      },
      {
        endpoint: '/custom',
        backend: [
          {
            host: [stock!.url],
            url_pattern: '/custom',
            extra_config: { 'auth/client-credentials': { client_id: 'gw', client_secret: 'secret', token_url: `${idp!.url}/token`, auth_header_name: 'X-User' } },
          },
        ],
      },
      {
        endpoint: '/off',
        backend: [
          {
            host: [stock!.url],
            url_pattern: '/off',
            extra_config: { 'github_com/devopsfaith/krakend-oauth2-clientcredentials': { client_id: 'gw', client_secret: 'secret', token_url: `${idp!.url}/token`, is_disabled: true } },
          },
        ],
      },
    ],
  })
  const answers = await Promise.all(Array.from({ length: 10 }, async () => (await fetch(`${base}/dashboard`)).json()))
  t.ok(answers.every((answer) => JSON.stringify(answer) === JSON.stringify({ orders: { url: '/orders', user: null, department: null, authorization: 'Bearer t1' }, stock: { url: '/stock', user: null, department: null, authorization: null } })))
  t.equal(issued, 1)
  t.match(await (await fetch(`${base}/custom`)).json(), { user: 'Bearer t2', authorization: null }, 'auth_header_name')
  t.match(await (await fetch(`${base}/off`)).json(), { user: null, authorization: null }, 'is_disabled, under the legacy name')
  const asked = idp!.seen[0]!
  t.match(asked.headers.authorization, /^Basic /)
})

t.test('check: what cannot work is refused with its JSON path; KrakenD\'s own examples load without a word about them', async (t) => {
  const file = writeConfig({
    version: 3,
    host: ['http://127.0.0.1:8080'],
    endpoints: [
      { endpoint: '/a', extra_config: { 'auth/validator': { alg: 'RS256', jwk_url: 'http://idp/jwks.json' } }, backend: [{ url_pattern: '/a' }] },
      { endpoint: '/b', backend: [{ url_pattern: '/users/{JWT.sub}' }] },
      { endpoint: '/c', extra_config: { 'auth/validator': { alg: 'RS256', jwk_local_path: './k.json', scopes: ['read'] } }, backend: [{ url_pattern: '/c' }] },
      { endpoint: '/d', extra_config: { 'auth/validator': { alg: 'RS256', jwk_local_path: './k.json', secret_url: 'base64key://abc', alg_typo: 1 } }, backend: [{ url_pattern: '/d' }] },
      { endpoint: '/e', extra_config: { 'auth/signer': { alg: 'HS256', jwk_local_path: './k.json' } }, backend: [{ url_pattern: '/e' }] },
      {
        endpoint: '/f',
        backend: [{ url_pattern: '/f', extra_config: { 'auth/client-credentials': { client_id: 'a', client_secret: 'b', token_url: 'idp/token' } } }],
      },
    ],
  })
  const { code, output } = await cli('check', '-c', file)
  t.equal(code, 1)
  const lines = output.split('\n')
  const has = (text: string) => t.ok(lines.some((line) => line.includes(text)), text)
  has('/endpoints/0/extra_config/auth~1validator/jwk_url: must be an https:// URL unless disable_jwk_security is true')
  has("/endpoints/1/backend/0/url_pattern: {JWT.sub} needs the endpoint's auth/validator: the claims come from the token it validates")
  has('/endpoints/2/extra_config/auth~1validator/scopes: are not checked without scopes_key')
  has('/endpoints/3/extra_config/auth~1validator/secret_url: encrypted JWK files (secret_url, cypher_key) are not supported by rxgate')
  has('/endpoints/4/extra_config/auth~1signer/kid: is required')
  has('/endpoints/4/extra_config/auth~1signer/keys_to_sign: is required')
  has('/endpoints/5/backend/0/extra_config/auth~1client-credentials/token_url: must be an http:// or https:// URL')
  const lint = await cli('check', '-c', file, '--lint')
  t.match(lint.output, /\/endpoints\/3\/extra_config\/auth~1validator\/alg_typo: is not a key rxgate knows/)

  const docs = fileURLToPath(new URL('../../fixtures/config/krakend-docs-auth.json', import.meta.url))
  const checked = await cli('check', '-c', docs)
  t.equal(checked.code, 0, checked.output)
  t.notMatch(checked.output, /auth\/|jose|credentials|not enforced/, 'no warning about them')
})
