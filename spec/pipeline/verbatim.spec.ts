import t from 'tap'
import { checkConfig } from '../../lib/index.js'
import { passesWhole, streamsWhole } from '../../lib/pipeline/verbatim.js'

/** The one endpoint of a file with `endpoint` merged over a plain one-backend endpoint. */
function endpointOf(endpoint: Record<string, unknown> = {}, backend: Record<string, unknown> = {}) {
  const { config } = checkConfig(
    { version: 3, endpoints: [{ endpoint: '/doc', backend: [{ host: ['http://api:8080'], url_pattern: '/doc', ...backend }], ...endpoint }] },
    { allowUnenforced: true },
  )
  return config.endpoints[0]!
}

t.test('a long document passes as it streams only when nothing between the backend and the client reads it', async (t) => {
  t.equal(streamsWhole(endpointOf()), true, 'one json backend, json out')
  t.equal(streamsWhole(endpointOf({ extra_config: { 'qos/ratelimit/router': { max_rate: 10 } } })), true, 'a rate limit reads the request only')
  t.equal(streamsWhole(endpointOf({}, { extra_config: { 'qos/circuit-breaker': { interval: 60, timeout: 10, max_errors: 1 } } })), true, 'a circuit breaker counts calls')

  const kept: [string, boolean][] = [
    ['allow', streamsWhole(endpointOf({}, { allow: ['a'] }))],
    ['mapping', streamsWhole(endpointOf({}, { mapping: { a: 'b' } }))],
    ['json-collection', streamsWhole(endpointOf({ output_encoding: 'json-collection' }))],
    ['negotiate', streamsWhole(endpointOf({ output_encoding: 'negotiate' }))],
    ['concurrent_calls', streamsWhole(endpointOf({ concurrent_calls: 2 }))],
    ['auth/signer', streamsWhole(endpointOf({ extra_config: { 'auth/signer': { alg: 'HS256', kid: 'k', keys_to_sign: ['a'], jwk_local_path: 'keys.json', disable_jwk_security: true } } }))],
    ['qos/http-cache', streamsWhole(endpointOf({}, { extra_config: { 'qos/http-cache': {} } }))],
    ['a second backend', streamsWhole({ ...endpointOf(), backend: [...endpointOf().backend, ...endpointOf().backend] })],
  ]
  for (const [what, streams] of kept) t.equal(streams, false, `not with ${what}`)
})

t.test('what streams also passes whole; negotiate and json-collection pass whole without streaming', async (t) => {
  t.equal(passesWhole(endpointOf()), true)
  t.equal(passesWhole(endpointOf({ output_encoding: 'negotiate' })), true)
  t.equal(passesWhole(endpointOf({ output_encoding: 'json-collection' })), true)
})
