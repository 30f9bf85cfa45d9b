import { pipe } from 'rxjs'
import t, { type Test } from 'tap'
import { backend } from '../../lib/backend/index.js'
import { gateway } from '../../lib/gateway.js'
import { jwtValidator, type JwtValidatorOptions } from '../../lib/middleware/jwt-validator.js'
import { fanOut, merge, timeoutEach } from '../../operators/index.js'
import { httpBackend, sendJson, type TestBackend } from '../fixtures/backends.js'
import { jwkFile, startJwkServer, testKey } from '../helpers/jose-keys.js'
import { recordingLogger, serveGateway } from '../helpers/serve-gateway.js'

const hour = () => Math.floor(Date.now() / 1000) + 3600


/** A backend that answers what it saw: the path, and the headers a validator may add. */
async function echo(t: Test): Promise<TestBackend> {
  const server = await httpBackend((req, res) =>
    sendJson(res, { url: req.url, user: req.headers['x-user'] ?? null, role: req.headers['x-role'] ?? null, auth: req.headers.authorization ?? null }),
  )
  t.teardown(server.close)
  return server
}

/** A gateway with one guarded route, `/me`, in front of `users`; its base URL. */
async function guarded(t: Test, options: JwtValidatorOptions, users: TestBackend, path = '/users/me') {
  const { logger, lines } = recordingLogger()
  const guard = jwtValidator(options, { logger, at: 'endpoint /me' })
  const gw = gateway({ logger: { level: 'silent' } }).get('/me', guard(pipe(fanOut({ users: backend(`${users.origin}${path}`) }), timeoutEach('2s'), merge())))
  const base = await serveGateway(t, gw)
  const call = (token?: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/me`, { headers: token === undefined ? headers : { authorization: `Bearer ${token}`, ...headers } })
  return { call, lines }
}

for (const alg of ['HS256', 'RS256', 'ES256', 'EdDSA']) {
  t.test(`${alg}: a valid token passes, its claims reach the backend call; a token of another key does not`, async (t) => {
    const key = await testKey(alg, `${alg}-key`)
    const forger = await testKey(alg, `${alg}-key`)
    const users = await echo(t)
    const { call } = await guarded(t, { alg: alg as JwtValidatorOptions['alg'], jwk_local_path: jwkFile([key.publicJwk]), propagate_claims: [['sub', 'x-user']] }, users, '/users/{JWT.sub}')
    const good = await call(await key.sign({ sub: 'ada', exp: hour() }))
    t.equal(good.status, 200)
    t.same(await good.json(), { url: '/users/ada', user: 'ada', role: null, auth: null })
    const forged = await call(await forger.sign({ sub: 'ada', exp: hour() }))
    t.equal(forged.status, 401)
    t.equal(forged.headers.get('www-authenticate'), `Bearer error="invalid_token", error_description="the token's signature is invalid"`)
    t.equal(users.seen.length, 1, 'the forged token never reached the backend')
  })
}

t.test('401 for a missing, malformed, expired, not yet valid or wrongly addressed token, with RFC 6750 challenges', async (t) => {
  const key = await testKey('RS256', 'k1')
  const users = await echo(t)
  const { call } = await guarded(t, { alg: 'RS256', jwk_local_path: jwkFile([key.publicJwk]), issuer: 'https://idp', audience: ['api', 'shop'] }, users)
  const now = Math.floor(Date.now() / 1000)
  const claims = { iss: 'https://idp', aud: ['api', 'shop', 'other'], exp: now + 60 }
  const cases: [string, Promise<Response>, string | null, string][] = [
    ['no token', call(), 'Bearer', 'a bearer token is required'],
    ['another scheme', call(undefined, { authorization: 'Basic YWRhOnB3' }), 'Bearer', 'a bearer token is required'],
    ['garbage', call('not-a-jwt'), 'the token is malformed', 'the token is malformed'],
    ['three garbage parts', call('a.b.c'), 'the token is malformed', 'the token is malformed'],
    ['expired', call(await key.sign({ ...claims, exp: now - 30 })), 'the token has expired', 'the token has expired'],
    ['not yet valid', call(await key.sign({ ...claims, nbf: now + 30 })), 'the token is not valid yet', 'the token is not valid yet'],
    ['issued in the future', call(await key.sign({ ...claims, iat: now + 30 })), 'the token was issued in the future', 'the token was issued in the future'],
    ['wrong issuer', call(await key.sign({ ...claims, iss: 'https://evil' })), "the token's issuer is not accepted", "the token's issuer is not accepted"],
    ['one audience missing', call(await key.sign({ ...claims, aud: 'api' })), "the token's audience is not accepted", "the token's audience is not accepted"],
    ['exp not a number', call(await key.sign({ ...claims, exp: 'tomorrow' as unknown as number })), 'the token is malformed', 'the token is malformed'],
    ['unknown kid', call(await key.sign(claims, { kid: 'k2' })), "the token's key is not known", "the token's key is not known"],
  ]
  for (const [name, pending, challenge, message] of cases) {
    const res = await pending
    t.equal(res.status, 401, name)
    const expected = challenge === 'Bearer' ? 'Bearer' : `Bearer error="invalid_token", error_description="${challenge!.replaceAll('"', "'")}"`
    t.equal(res.headers.get('www-authenticate'), expected, `${name}: challenge`)
    t.same(await res.json(), { error: { code: 'RXGATE_ERR_UNAUTHORIZED', message } }, `${name}: body`)
  }
  t.equal(users.seen.length, 0, 'no backend was called')
  const good = await call(await key.sign(claims))
  t.equal(good.status, 200, 'and the right token passes')
})

t.test('leeway: a token expired within it passes; KrakenD rounds it to whole seconds, one at least', async (t) => {
  const key = await testKey('HS256', 'k')
  const users = await echo(t)
  const strict = await guarded(t, { alg: 'HS256', jwk_local_path: jwkFile([key.publicJwk]) }, users)
  const lenient = await guarded(t, { alg: 'HS256', jwk_local_path: jwkFile([key.publicJwk]), leeway: '1m' }, users)
  const token = await key.sign({ sub: 'ada', exp: Math.floor(Date.now() / 1000) - 20 })
  t.equal((await strict.call(token)).status, 401, 'default leeway: 1s')
  t.equal((await lenient.call(token)).status, 200, 'leeway 1m')
})

t.test('attacks: the none algorithm, the public key as an HMAC secret, a token of 64 KB, a JWE: all 401', async (t) => {
  const rsa = await testKey('RS256', 'rsa')
  const users = await echo(t)
  const jwks = jwkFile([rsa.publicJwk])
  const asRs256 = await guarded(t, { alg: 'RS256', jwk_local_path: jwks }, users)
  const asHs256 = await guarded(t, { alg: 'HS256', jwk_local_path: jwks }, users)
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const none = `${b64({ alg: 'none', kid: 'rsa' })}.${b64({ sub: 'admin' })}.`
  t.equal((await asRs256.call(none)).status, 401, 'alg none')
  // the RSA public key, as PEM and as its JWK bytes, used as an HMAC secret
  const pem = Buffer.from((await import('node:crypto')).createPublicKey({ key: rsa.publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }))
  const { SignJWT } = await import('jose')
  for (const secret of [pem, Buffer.from(JSON.stringify(rsa.publicJwk))]) {
    const token = await new SignJWT({ sub: 'admin' }).setProtectedHeader({ alg: 'HS256', kid: 'rsa' }).sign(secret)
    const res = await asRs256.call(token)
    t.equal(res.status, 401, 'HS256 against an RS256 endpoint')
    t.match(await res.json(), { error: { message: 'the token is not signed with RS256' } })
    const confused = await asHs256.call(token)
    t.equal(confused.status, 401, 'HS256 endpoint whose JWK set holds an RSA key')
    t.match(await confused.json(), { error: { message: "the token's key cannot verify it" } })
  }
  const huge = `${b64({ alg: 'RS256', kid: 'rsa' })}.${'A'.repeat(12 * 1024)}.${'B'.repeat(2048)}`
  const started = Date.now()
  t.equal((await asRs256.call(huge)).status, 401, 'a large forged token')
  t.ok(Date.now() - started < 1000, 'and quickly')
  const jwe = 'eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d'
  t.equal((await asRs256.call(jwe)).status, 401, 'a JWE')
  t.equal(users.seen.length, 0)
})

t.test('roles (any of them, plain or nested) and scopes (any or all): 403 with insufficient_scope', async (t) => {
  const key = await testKey('ES256', 'k')
  const users = await echo(t)
  const jwks = jwkFile([key.publicJwk])
  const roles = await guarded(t, { alg: 'ES256', jwk_local_path: jwks, roles: ['admin', 'ops'] }, users)
  const nested = await guarded(t, { alg: 'ES256', jwk_local_path: jwks, roles_key: 'realm_access.roles', roles_key_is_nested: true, roles: ['admin'] }, users)
  const any = await guarded(t, { alg: 'ES256', jwk_local_path: jwks, scopes_key: 'scope', scopes: ['read', 'write'] }, users)
  const all = await guarded(t, { alg: 'ES256', jwk_local_path: jwks, scopes_key: 'data.scopes', scopes: ['read', 'write'], scopes_matcher: 'all' }, users)
  const exp = hour()
  t.equal((await roles.call(await key.sign({ exp, roles: ['user', 'ops'] }))).status, 200, 'one role of the list')
  t.equal((await roles.call(await key.sign({ exp, roles: 'user admin' }))).status, 200, 'roles as a string separated by spaces')
  const denied = await roles.call(await key.sign({ exp, roles: ['user'] }))
  t.equal(denied.status, 403)
  t.equal(denied.headers.get('www-authenticate'), `Bearer error="insufficient_scope", error_description="the token's roles do not allow this endpoint"`)
  t.same(await denied.json(), { error: { code: 'RXGATE_ERR_FORBIDDEN', message: "the token's roles do not allow this endpoint" } })
  t.equal((await roles.call(await key.sign({ exp }))).status, 403, 'no roles at all')
  t.equal((await nested.call(await key.sign({ exp, realm_access: { roles: ['admin'] } }))).status, 200, 'nested roles')
  t.equal((await nested.call(await key.sign({ exp, 'realm_access.roles': ['admin'] }))).status, 403, 'nested: the path, not a key with dots')
  t.equal((await any.call(await key.sign({ exp, scope: 'profile write' }))).status, 200, 'any: one scope suffices')
  const noScope = await any.call(await key.sign({ exp, scope: 'profile' }))
  t.equal(noScope.status, 403)
  t.match(noScope.headers.get('www-authenticate'), /error="insufficient_scope".*, scope="read write"$/)
  t.equal((await all.call(await key.sign({ exp, data: { scopes: 'read write profile' } }))).status, 200, 'all: every one, nested')
  t.equal((await all.call(await key.sign({ exp, data: { scopes: ['read', 'write'] } }))).status, 200, 'all: scopes as a list')
  t.equal((await all.call(await key.sign({ exp, data: { scopes: 'read' } }))).status, 403, 'all: one missing')
})

t.test('the token from a custom header or from a cookie (access_token by default)', async (t) => {
  const key = await testKey('HS256', 'k')
  const users = await echo(t)
  const jwks = jwkFile([key.publicJwk])
  const token = await key.sign({ sub: 'ada', exp: hour() })
  const plain = await guarded(t, { alg: 'HS256', jwk_local_path: jwks }, users)
  t.equal((await plain.call(undefined, { cookie: `theme=dark; access_token=${token}` })).status, 200, 'the default cookie')
  t.equal((await plain.call(undefined, { authorization: `bearer ${token}` })).status, 200, 'Bearer in any case')
  const cookie = await guarded(t, { alg: 'HS256', jwk_local_path: jwks, cookie_key: 'session' }, users)
  t.equal((await cookie.call(undefined, { cookie: `session="${token}"` })).status, 200, 'a quoted cookie')
  t.equal((await cookie.call(undefined, { cookie: `access_token=${token}` })).status, 401, 'not the default one any more')
  const header = await guarded(t, { alg: 'HS256', jwk_local_path: jwks, auth_header_name: 'X-Auth' }, users)
  t.equal((await header.call(undefined, { 'x-auth': `Bearer ${token}` })).status, 200)
  t.equal((await header.call(token)).status, 401, 'Authorization is not read then')
})

t.test('propagate_claims: strings, numbers, lists, nested claims; a missing claim sends the header empty', async (t) => {
  const key = await testKey('HS256', 'k')
  const seen: Record<string, unknown>[] = []
  const users = await httpBackend((req, res) => {
    seen.push(req.headers)
    sendJson(res, {})
  })
  t.teardown(users.close)
  const propagate_claims = [['sub', 'x-user'], ['realm_access.role', 'x-role'], ['groups', 'x-groups'], ['level', 'x-level'], ['name', 'x-name']]
  const { call } = await guarded(t, { alg: 'HS256', jwk_local_path: jwkFile([key.publicJwk]), propagate_claims }, users)
  await call(await key.sign({ sub: 'ada', realm_access: { role: 'admin' }, groups: ['a', 'b'], level: 3, name: 'José\r\nX-Admin: 1', exp: hour() }))
  t.match(seen[0], { 'x-user': 'ada', 'x-role': 'admin', 'x-groups': 'a,b', 'x-level': '3' })
  t.equal(Buffer.from(seen[0]!['x-name'] as string, 'latin1').toString('utf8'), 'José  X-Admin: 1', 'UTF-8 bytes as Go sends them; no header smuggled')
  t.notOk('x-admin' in seen[0]!)
  await call(await key.sign({ exp: hour() }), { 'x-user': 'spoofed' })
  t.equal(seen[1]!['x-user'], '', "the client's own header never passes for a claim")
  const preserve = await guarded(t, { alg: 'HS256', jwk_local_path: jwkFile([key.publicJwk]), propagate_claims, propagate_claims_preserve_array: true }, users)
  await preserve.call(await key.sign({ groups: ['a', 'b'], exp: hour() }))
  t.equal(seen[2]!['x-groups'], 'a, b', 'preserve_array: one value per item, as repeated header lines read')
})

t.test('key_identify_strategy x5t: keys found by their certificate thumbprint', async (t) => {
  const key = await testKey('RS256', 'kid-1')
  const users = await echo(t)
  const jwk = { ...key.publicJwk, x5t: 'dGh1bWJwcmludA' }
  const { call } = await guarded(t, { alg: 'RS256', jwk_local_path: jwkFile([jwk]), key_identify_strategy: 'x5t' }, users)
  t.equal((await call(await key.sign({ exp: hour() }, { x5t: 'dGh1bWJwcmludA' }))).status, 200)
  t.equal((await call(await key.sign({ exp: hour() }, { x5t: 'b3RoZXI' }))).status, 401)
})

t.test('jwk_url: fetched once with cache, refreshed for an unknown kid (rotation), at most once per cooldown for a flood of them', async (t) => {
  const first = await testKey('RS256', 'k1')
  const second = await testKey('RS256', 'k2')
  const server = await startJwkServer(t, [first.publicJwk])
  const users = await echo(t)
  const { call } = await guarded(t, { alg: 'RS256', jwk_url: server.url, disable_jwk_security: true, cache: true, failed_jwk_key_cooldown: '1s' }, users)
  const token = await first.sign({ exp: hour() })
  for (let i = 0; i < 5; i++) t.equal((await call(token)).status, 200)
  t.equal(server.hits, 1, 'one fetch for five requests')
  server.keys = [first.publicJwk, second.publicJwk]
  // the last fetch was long enough ago only after the cooldown
  await new Promise((resolve) => setTimeout(resolve, 1100))
  t.equal((await call(await second.sign({ exp: hour() }))).status, 200, 'a rotated-in key is fetched')
  t.equal(server.hits, 2)
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const madeUp = Array.from({ length: 50 }, (_, i) => `${b64({ alg: 'RS256', kid: `made-up-${i}` })}.${b64({ exp: hour() })}.c2ln`)
  const flood = await Promise.all(madeUp.map(async (forged) => (await call(forged)).status))
  t.ok(flood.every((status) => status === 401))
  t.ok(server.hits <= 3, `a flood of unknown kids: ${server.hits - 2} fetch(es) at most, not 50`)
})

t.test('jwk_url without cache: fetched for every request, as KrakenD documents, one fetch for concurrent requests', async (t) => {
  const key = await testKey('HS256', 'k')
  const server = await startJwkServer(t, [key.publicJwk])
  const users = await echo(t)
  const { call } = await guarded(t, { alg: 'HS256', jwk_url: server.url, disable_jwk_security: true }, users)
  const token = await key.sign({ exp: hour() })
  t.equal((await call(token)).status, 200)
  t.equal((await call(token)).status, 200)
  t.equal(server.hits, 2)
  server.keys = []
  t.equal((await call(token)).status, 401, 'a key gone from the set is refused at once, whatever was verified before')
})

t.test('an unreachable or hanging JWK server: 401, quickly, and nothing crashes', async (t) => {
  const key = await testKey('RS256', 'k')
  const users = await echo(t)
  const refused = await guarded(t, { alg: 'RS256', jwk_url: 'http://127.0.0.1:1/jwks.json', disable_jwk_security: true, cache: true }, users)
  const token = await key.sign({ exp: hour() })
  const res = await refused.call(token)
  t.equal(res.status, 401)
  t.same(await res.json(), { error: { code: 'RXGATE_ERR_UNAUTHORIZED', message: "the token's key could not be loaded" } })
  const server = await startJwkServer(t, [key.publicJwk])
  server.mode = 'hang'
  const hanging = await guarded(t, { alg: 'RS256', jwk_url: server.url, disable_jwk_security: true, cache: true }, users)
  const started = Date.now()
  const late = await hanging.call(token)
  t.equal(late.status, 401)
  t.ok(Date.now() - started < 1800, `answered in ${Date.now() - started} ms, within the endpoint's deadline`)
  t.equal(users.seen.length, 0)
})

t.test('cached keys outlive a failing JWK server; a failing server is not asked again within the cooldown', async (t) => {
  const key = await testKey('ES256', 'k')
  const server = await startJwkServer(t, [key.publicJwk])
  const users = await echo(t)
  const { call } = await guarded(t, { alg: 'ES256', jwk_url: server.url, disable_jwk_security: true, cache: true, cache_duration: 1 }, users)
  t.equal((await call(await key.sign({ exp: hour(), n: 1 }))).status, 200)
  server.mode = 'fail'
  await new Promise((resolve) => setTimeout(resolve, 1100))
  t.equal((await call(await key.sign({ exp: hour(), n: 2 }))).status, 200, 'stale keys serve while the server fails')
  const hits = server.hits
  for (let i = 0; i < 5; i++) await call(await key.sign({ exp: hour(), n: 3 + i }))
  t.ok(server.hits <= hits + 1, 'not asked again for every request')
})

t.test('operation_debug logs every rejection at error level, with its reason', async (t) => {
  const key = await testKey('HS256', 'k')
  const users = await echo(t)
  const { call, lines } = await guarded(t, { alg: 'HS256', jwk_local_path: jwkFile([key.publicJwk]), roles: ['admin'], operation_debug: true }, users)
  await call(await key.sign({ exp: hour(), roles: ['user'] }))
  await new Promise((resolve) => setTimeout(resolve, 10))
  t.match(lines.find((line) => line.level === 50), { msg: "auth/validator: the token's roles do not allow this endpoint", reason: 'roles', endpoint: 'endpoint /me' })
})

t.test('a block that cannot work throws at start-up, naming the endpoint', async (t) => {
  t.throws(() => jwtValidator({ alg: 'RS256' }, { at: 'endpoint /x' }), { code: 'RXGATE_ERR_BAD_PLUGIN', message: /endpoint \/x: needs jwk_url or jwk_local_path/ })
  t.throws(() => jwtValidator({ alg: 'RS256', jwk_url: 'http://idp/jwks.json' }), { message: /plain HTTP: use https:\/\/, or set disable_jwk_security/ })
  t.throws(() => jwtValidator({ alg: 'RS256', jwk_local_path: '/nowhere/jwks.json' }), { message: /cannot read the JWK file \/nowhere\/jwks.json/ })
  t.throws(() => jwtValidator({ alg: 'RS256', jwk_local_path: jwkFile([]), scopes: ['a'] }), { message: /scopes need scopes_key/ })
  t.throws(() => jwtValidator({ alg: 'RS256', jwk_local_path: jwkFile([]), secret_url: 'base64key://abc' }), { message: /encrypted JWK files/ })
})

t.test('an https JWK server: its CA from jwk_local_ca, its public key pinned by jwk_fingerprints, or not verified with disable_jwk_security', async (t) => {
  const { selfSignedCertificate } = await import('../fixtures/tls.js')
  const { X509Certificate, createHash } = await import('node:crypto')
  const { writeFileSync, mkdtempSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { tmpdir } = await import('node:os')
  const tls = selfSignedCertificate()
  const ca = join(mkdtempSync(join(tmpdir(), 'rxgate-ca-')), 'ca.pem')
  writeFileSync(ca, tls.cert)
  const spki = new X509Certificate(tls.cert).publicKey.export({ type: 'spki', format: 'der' })
  const pin = createHash('sha256').update(spki).digest('base64')
  const key = await testKey('ES256', 'k')
  const users = await echo(t)
  const token = await key.sign({ exp: hour() })
  const statusWith = async (options: Partial<JwtValidatorOptions>) => {
    // a server of its own for each: the process keeps one JWK set per URL and TLS settings
    const server = await startJwkServer(t, [key.publicJwk], tls)
    const { call } = await guarded(t, { alg: 'ES256', jwk_url: server.url, cache: true, ...options }, users)
    return (await call(token)).status
  }
  t.equal(await statusWith({}), 401, 'a certificate no CA vouches for')
  t.equal(await statusWith({ jwk_local_ca: ca }), 200, 'its CA added')
  t.equal(await statusWith({ jwk_local_ca: ca, jwk_fingerprints: [pin] }), 200, 'and its key pinned')
  t.equal(await statusWith({ jwk_local_ca: ca, jwk_fingerprints: [createHash('sha256').update('other').digest('base64')] }), 401, 'another key pinned')
  t.equal(await statusWith({ disable_jwk_security: true }), 200, 'not verified at all')
  t.equal(await statusWith({ jwk_local_ca: ca, cipher_suites: [49195, 49199] }), 200, 'cipher suites (TLS 1.2 and below) named as Go numbers them')
  t.throws(() => jwtValidator({ alg: 'ES256', jwk_url: 'https://idp/jwks.json', jwk_local_ca: '/nowhere/ca.pem' }), { message: /cannot read jwk_local_ca \/nowhere\/ca.pem/ })
})

t.test('without cache, a JWK server that fails after a token was verified: 401, and no error escapes', async (t) => {
  const { escapedErrors } = await import('../../lib/router/guard-process.js')
  const key = await testKey('HS256', 'k')
  const server = await startJwkServer(t, [key.publicJwk])
  const users = await echo(t)
  const { call } = await guarded(t, { alg: 'HS256', jwk_url: server.url, disable_jwk_security: true }, users)
  const token = await key.sign({ exp: hour() })
  t.equal((await call(token)).status, 200)
  server.mode = 'fail'
  const before = escapedErrors()
  t.equal((await call(token)).status, 401)
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(escapedErrors(), before)
})
