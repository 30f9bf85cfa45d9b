import t from 'tap'
import { ErrorCodes, RxgateError, clientMessage, errorCode, errorPolicy, isRefusal } from '../lib/errors.js'

t.test('every code has a policy: a status, and a message a client may read or a fixed text', async (t) => {
  for (const [name, code] of Object.entries(ErrorCodes)) {
    t.match(code, /^RXGATE_ERR_[A-Z_]+$/, name)
    const policy = errorPolicy(new RxgateError(code, 'x'))
    t.ok(policy.status >= 400 && policy.status < 600, `${name}: ${policy.status}`)
    if (!policy.expose) t.ok(policy.client.length > 0, `${name}: a fixed text`)
  }
})

t.test("a backend's message is never a client's: it names URLs", async (t) => {
  const error = new RxgateError(ErrorCodes.BACKEND_STATUS, 'backend http://10.0.0.3:8080/users/7 answered 503', { status: 503 })
  t.equal(errorPolicy(error).status, 500, 'as KrakenD answers a failed backend')
  t.equal(clientMessage(error), 'a backend of this endpoint failed')
  for (const code of [ErrorCodes.BACKEND_DECODE, ErrorCodes.BACKEND_NETWORK, ErrorCodes.BACKEND_TOO_DEEP, ErrorCodes.TIMEOUT, ErrorCodes.MISSING_PARAM]) {
    t.notMatch(clientMessage(new RxgateError(code, 'backend http://10.0.0.3/x failed')), /10\.0\.0\.3/, code)
  }
})

t.test("the gateway's own answers about the client's request show their message", async (t) => {
  const notFound = new RxgateError(ErrorCodes.NOT_FOUND, 'no endpoint for /nope')
  t.same([errorPolicy(notFound).status, clientMessage(notFound)], [404, 'no endpoint for /nope'])
  t.equal(errorPolicy(new RxgateError(ErrorCodes.METHOD_NOT_ALLOWED, 'x')).status, 405)
  t.equal(errorPolicy(new RxgateError(ErrorCodes.REQUEST_TOO_LARGE, 'x')).status, 413)
  t.equal(errorPolicy(new RxgateError(ErrorCodes.ENDPOINT_TIMEOUT, 'x')).status, 504)
})

t.test('errorCode answers only codes of the catalogue', async (t) => {
  t.equal(errorCode(new RxgateError(ErrorCodes.EMPTY, 'x')), 'RXGATE_ERR_EMPTY')
  t.equal(errorCode(new TypeError('foreign')), 'RXGATE_ERR_INTERNAL', 'a foreign error')
  t.equal(errorCode('a string'), 'RXGATE_ERR_INTERNAL')
  t.equal(errorCode(undefined), 'RXGATE_ERR_INTERNAL')
  t.equal(errorCode(new RxgateError('RXGATE_ERR_MADE_UP' as never, 'x')), 'RXGATE_ERR_INTERNAL', 'a code made up in code')
  t.equal(clientMessage(new TypeError('secret internals')), 'the gateway failed to answer this request')
})

t.test('refusals (a 401, a 429, a rate limit) are told from failures, for the log level', async (t) => {
  for (const code of [ErrorCodes.UNAUTHORIZED, ErrorCodes.FORBIDDEN, ErrorCodes.TOO_MANY_REQUESTS, ErrorCodes.RATE_LIMITED, ErrorCodes.BAD_REQUEST]) {
    t.ok(isRefusal(new RxgateError(code, 'no')), code)
  }
  for (const code of [ErrorCodes.RATE_LIMIT_UNAVAILABLE, ErrorCodes.BACKEND_STATUS, ErrorCodes.PIPELINE, ErrorCodes.INTERNAL]) {
    t.notOk(isRefusal(new RxgateError(code, 'no')), code)
  }
  t.notOk(isRefusal(new Error('foreign')), 'an error not rxgate\'s own is a failure')
})
