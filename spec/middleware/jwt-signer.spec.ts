import { compactVerify, decodeProtectedHeader, flattenedVerify, importJWK } from 'jose'
import { map, pipe } from 'rxjs'
import t, { type Test } from 'tap'
import { backend } from '../../lib/backend/index.js'
import { gateway } from '../../lib/gateway.js'
import { jwtSigner, type JwtSignerOptions } from '../../lib/middleware/jwt-signer.js'
import { jwtValidator } from '../../lib/middleware/jwt-validator.js'
import { fanOut, merge, timeoutEach } from '../../operators/index.js'
import { httpBackend, sendJson } from '../fixtures/backends.js'
import { jwkFile, startJwkServer, testKey } from '../helpers/jose-keys.js'
import { quiet, serveGateway } from '../helpers/serve-gateway.js'

const exp = 1_900_000_000
const login = { access_token: { sub: 'ada', roles: ['admin'], exp }, refresh_token: { sub: 'ada', exp }, exp, note: 'plain', list: [1] }


/** A login endpoint: its backend answers `answer`, the signer signs it; its base URL. */
async function loginGateway(t: Test, options: JwtSignerOptions, answer: unknown = login) {
  const issuer = await httpBackend((_req, res) => sendJson(res, answer))
  t.teardown(issuer.close)
  const signer = jwtSigner(options, { at: 'endpoint /token' })
  const gw = gateway(quiet).post('/token', signer(pipe(fanOut({ issuer: backend(`${issuer.origin}/issue`) }), timeoutEach('2s'), merge())))
  const base = await serveGateway(t, gw)
  return { base, issuer, token: () => fetch(`${base}/token`, { method: 'POST' }) }
}

t.test('keys_to_sign: object values become compact JWS, with alg and kid; everything else is left as it is', async (t) => {
  const key = await testKey('HS256', 'sim2')
  const { token } = await loginGateway(t, { alg: 'HS256', kid: 'sim2', keys_to_sign: ['access_token', 'refresh_token', 'note', 'list', 'absent'], jwk_local_path: jwkFile([key.privateJwk]) })
  const res = await token()
  t.equal(res.status, 200)
  t.equal(res.headers.get('x-rxgate-completed'), 'true')
  const body = (await res.json()) as Record<string, string>
  t.same({ exp: body.exp, note: body.note, list: body.list }, { exp, note: 'plain', list: [1] })
  t.same(decodeProtectedHeader(body.access_token!), { alg: 'HS256', kid: 'sim2' })
  const secret = await importJWK(key.publicJwk, 'HS256')
  const { payload } = await compactVerify(body.access_token!, secret)
  t.same(JSON.parse(Buffer.from(payload).toString()), login.access_token)
  t.same(JSON.parse(Buffer.from((await compactVerify(body.refresh_token!, secret)).payload).toString()), login.refresh_token)
})

t.test('full: the JWS JSON serialization, as a string', async (t) => {
  const key = await testKey('ES256', 'ec')
  const { token } = await loginGateway(t, { alg: 'ES256', kid: 'ec', keys_to_sign: ['access_token'], full: true, jwk_local_path: jwkFile([key.privateJwk]) })
  const body = (await (await token()).json()) as Record<string, string>
  const jws = JSON.parse(body.access_token!) as { payload: string; protected: string; signature: string }
  t.same(Object.keys(jws), ['payload', 'protected', 'signature'])
  const { payload } = await flattenedVerify(jws, await importJWK(key.publicJwk, 'ES256'))
  t.same(JSON.parse(Buffer.from(payload).toString()), login.access_token)
})

t.test('a signed token opens an endpoint guarded by the validator with the public key', async (t) => {
  const key = await testKey('RS256', 'pair')
  const { token } = await loginGateway(t, { alg: 'RS256', kid: 'pair', keys_to_sign: ['access_token'], jwk_local_path: jwkFile([key.privateJwk]) })
  const { access_token } = (await (await token()).json()) as { access_token: string }
  const guard = jwtValidator({ alg: 'RS256', jwk_local_path: jwkFile([key.publicJwk]), roles: ['admin'] })
  const gw = gateway(quiet).get('/admin', guard(map(() => ({ ok: true }))))
  const base = await serveGateway(t, gw)
  t.equal((await fetch(`${base}/admin`, { headers: { authorization: `Bearer ${access_token}` } })).status, 200)
})

t.test('jwk_url: the key is fetched once and kept', async (t) => {
  const key = await testKey('EdDSA', 'ed')
  const server = await startJwkServer(t, [key.privateJwk])
  const { token } = await loginGateway(t, { alg: 'EdDSA', kid: 'ed', keys_to_sign: ['access_token'], jwk_url: server.url, disable_jwk_security: true })
  for (let i = 0; i < 3; i++) t.equal((await token()).status, 200)
  t.equal(server.hits, 1)
})

t.test('a key that cannot sign fails the request (500), never an unsigned answer', async (t) => {
  const key = await testKey('RS256', 'pub')
  const publicOnly = await loginGateway(t, { alg: 'RS256', kid: 'pub', keys_to_sign: ['access_token'], jwk_local_path: jwkFile([key.publicJwk]) })
  const res = await publicOnly.token()
  t.equal(res.status, 500)
  t.same(await res.json(), { error: { code: 'RXGATE_ERR_SIGNING', message: 'the answer could not be signed' } })
  const down = await loginGateway(t, { alg: 'RS256', kid: 'x', keys_to_sign: ['access_token'], jwk_url: 'http://127.0.0.1:1/jwk.json', disable_jwk_security: true })
  const failed = await down.token()
  t.equal(failed.status, 500)
  t.notMatch(await failed.text(), /sub|ada/, 'the claims are not leaked unsigned')
  const nothing = await loginGateway(t, { alg: 'RS256', kid: 'x', keys_to_sign: ['access_token'], jwk_url: 'http://127.0.0.1:1/jwk.json', disable_jwk_security: true }, { other: 1 })
  t.same(await (await nothing.token()).json(), { other: 1 }, 'nothing to sign: no key needed')
})

t.test('a kid missing from jwk_local_path, or a block without keys, throws at start-up', async (t) => {
  const key = await testKey('HS256', 'a')
  t.throws(() => jwtSigner({ alg: 'HS256', kid: 'b', keys_to_sign: ['x'], jwk_local_path: jwkFile([key.privateJwk]) }, { at: 'endpoint /token' }), {
    code: 'RXGATE_ERR_BAD_PLUGIN',
    message: /endpoint \/token: the key "b" is not in /,
  })
  t.throws(() => jwtSigner({ alg: 'HS256', kid: 'a', keys_to_sign: ['x'] }), { message: /needs jwk_url or jwk_local_path/ })
})
