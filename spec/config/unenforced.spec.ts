import t from 'tap'
import { FAIL_CLOSED_FAMILIES, failsClosed, unenforcedEffect, unenforcedMessage } from '../../lib/config/unenforced.js'

t.test('the families that protect or shape traffic fail closed; the others do not', async (t) => {
  t.same(FAIL_CLOSED_FAMILIES, ['auth/', 'security/', 'qos/', 'validation/', 'plugin/'])
  for (const name of ['auth/validator', 'security/cors', 'qos/ratelimit/router/redis', 'validation/cel', 'plugin/http-server', 'auth/anything-new']) {
    t.ok(failsClosed(name), name)
  }
  for (const name of ['telemetry/logging', 'modifier/martian', 'backend/graphql', 'router', 'proxy', 'authority/x', 'qos', 'github_com/devopsfaith/krakend-cors']) {
    t.notOk(failsClosed(name), name)
  }
})

t.test('each known namespace says what it would do; others get their family\'s sentence', async (t) => {
  t.equal(unenforcedEffect('auth/validator'), 'reject requests without a valid JWT with 401')
  t.equal(unenforcedEffect('qos/circuit-breaker'), 'stop calling this backend after max_errors consecutive failures, until it recovers')
  t.equal(unenforcedEffect('validation/json-schema'), 'reject request bodies that do not match its JSON Schema with 400')
  for (const name of [
    'auth/signer', 'auth/client-credentials', 'auth/api-keys', 'auth/basic', 'auth/revoker',
    'security/cors', 'security/http', 'security/bot-detector', 'security/policies',
    'qos/ratelimit/router', 'qos/ratelimit/proxy', 'qos/ratelimit/service', 'qos/ratelimit/router/redis', 'qos/ratelimit/redis', 'qos/http-cache',
    'validation/cel', 'validation/response-json-schema',
    'plugin/http-server', 'plugin/http-client', 'plugin/req-resp-modifier', 'plugin/middleware',
  ]) {
    const family = FAIL_CLOSED_FAMILIES.find((prefix) => name.startsWith(prefix))!
    t.not(unenforcedEffect(name), unenforcedEffect(`${family}not-a-real-one`), `${name} has its own sentence`)
  }
  t.equal(unenforcedEffect('auth/not-a-real-one'), 'authenticate or authorize requests, and refuse the others')
  t.equal(unenforcedEffect('plugin/not-a-real-one'), 'run a plugin')
})

t.test('the message: a problem says how to go on, a warning says what was chosen', async (t) => {
  t.equal(
    unenforcedMessage('auth/validator', unenforcedEffect('auth/validator'), false),
    'auth/validator is not enforced by rxgate: it would reject requests without a valid JWT with 401; remove it, or run with --allow-unenforced to serve without it',
  )
  t.equal(
    unenforcedMessage('auth/validator', unenforcedEffect('auth/validator'), true),
    'auth/validator is not enforced by rxgate: it would reject requests without a valid JWT with 401; served without it, as --allow-unenforced asks',
  )
})
