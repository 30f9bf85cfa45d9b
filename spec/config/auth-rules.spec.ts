import t from 'tap'
import { authFindings } from '../../lib/config/auth-rules.js'

t.test('auth/validator: where the keys are, and how they may be fetched', async (t) => {
  t.same(authFindings('auth/validator', 'endpoint', { alg: 'RS256' }), [{ path: '', message: 'needs jwk_url or jwk_local_path: where the keys that verify the tokens are' }])
  t.same(authFindings('auth/validator', 'endpoint', { jwk_url: 'https://idp/jwks.json' }), [])
  t.same(authFindings('auth/validator', 'endpoint', { jwk_url: 'http://idp/jwks.json', disable_jwk_security: true }), [])
  t.match(authFindings('auth/validator', 'endpoint', { jwk_url: 'http://idp/jwks.json' }), [{ path: '/jwk_url', message: /must be an https:\/\/ URL unless disable_jwk_security/ }])
  t.match(authFindings('auth/validator', 'endpoint', { jwk_url: 'idp/jwks.json' }), [{ path: '/jwk_url', message: /is not a URL/ }])
  t.match(authFindings('auth/validator', 'endpoint', { jwk_url: 'ftp://idp/jwks.json' }), [{ path: '/jwk_url', message: /http:\/\/ or https:\/\// }])
  t.same(authFindings('auth/validator', 'endpoint', { jwk_url: 'https://idp', jwk_local_path: './k.json' }), [
    { path: '/jwk_url', message: 'is ignored: jwk_local_path has preference (as in KrakenD)', warning: true },
  ])
  t.match(authFindings('auth/validator', 'endpoint', { jwk_local_path: './k.json', cypher_key: 'x' }), [{ path: '/cypher_key', message: /encrypted JWK files/ }])
  t.match(authFindings('auth/validator', 'endpoint', { jwk_local_path: './k.json', jwk_fingerprints: ['not base64!'] }), [{ path: '/jwk_fingerprints/0' }])
})

t.test('auth/validator: scopes need their key; a cache duration needs the cache', async (t) => {
  t.match(authFindings('auth/validator', 'endpoint', { jwk_local_path: './k.json', scopes: ['read'] }), [{ path: '/scopes', message: /scopes_key/ }])
  t.same(authFindings('auth/validator', 'endpoint', { jwk_local_path: './k.json', scopes: ['read'], scopes_key: 'scope' }), [])
  t.match(authFindings('auth/validator', 'endpoint', { jwk_url: 'https://idp', cache_duration: 60 }), [{ path: '/cache_duration', warning: true }])
})

t.test('auth/signer, auth/client-credentials; other scopes and namespaces have no rules here', async (t) => {
  t.match(authFindings('auth/signer', 'endpoint', { alg: 'HS256', kid: 'a', keys_to_sign: [] }), [{ path: '', message: /the key that signs the tokens/ }])
  t.match(authFindings('auth/client-credentials', 'backend', { token_url: 'idp/token' }), [{ path: '/token_url' }])
  t.same(authFindings('auth/client-credentials', 'backend', { token_url: 'https://idp/token' }), [])
  t.same(authFindings('auth/validator', 'backend', {}), [])
  t.same(authFindings('auth/validator', 'endpoint', 'not an object'), [])
  t.same(authFindings('security/cors', 'endpoint', {}), [])
})
