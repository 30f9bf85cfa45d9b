import type { IncomingMessage, ServerResponse } from 'node:http'
import { pipe } from 'rxjs'
import t, { type Test } from 'tap'
import { backend } from '../../lib/backend/index.js'
import { gateway } from '../../lib/gateway.js'
import { clientCredentials, type ClientCredentialsOptions } from '../../lib/middleware/client-credentials.js'
import { fanOut, merge, timeoutEach } from '../../operators/index.js'
import { httpBackend, sendJson, type Seen, type TestBackend } from '../fixtures/backends.js'
import { recordingLogger, serveGateway } from '../helpers/serve-gateway.js'


/** A token endpoint: `answer` decides each answer; it records what it was asked. */
async function tokenServer(t: Test, answer: (seen: Seen, count: number, res: ServerResponse) => void): Promise<TestBackend> {
  let count = 0
  const server = await httpBackend((_req: IncomingMessage, res, seen) => answer(seen, ++count, res))
  t.teardown(server.close)
  return server
}

/** Two backends of one endpoint, the first with client credentials; what each saw of Authorization. */
async function twoBackends(t: Test, options: Omit<ClientCredentialsOptions, 'client_id' | 'client_secret'> & Partial<ClientCredentialsOptions>) {
  const echo = (req: IncomingMessage, res: ServerResponse) =>
    sendJson(res, { [req.url!.slice(1)]: req.headers[options.auth_header_name?.toLowerCase() ?? 'authorization'] ?? null })
  const protectedApi = await httpBackend(echo)
  const sibling = await httpBackend(echo)
  t.teardown(protectedApi.close)
  t.teardown(sibling.close)
  const { logger, lines } = recordingLogger()
  const withToken = clientCredentials({ client_id: 'gateway', client_secret: 's3cr3t:&', ...options }, { at: 'backend /orders' })
  const pipeline = pipe(fanOut({ orders: withToken(backend(`${protectedApi.origin}/orders`)), other: backend(`${sibling.origin}/other`) }), timeoutEach('2s'), merge())
  const gw = gateway({ logger }).get('/both', pipeline)
  const base = await serveGateway(t, gw)
  return { call: () => fetch(`${base}/both`), lines, protectedApi }
}

t.test('the token goes to its backend only; one token request, Basic credentials, the form sorted as Go writes it', async (t) => {
  const idp = await tokenServer(t, (_seen, count, res) => sendJson(res, { access_token: `token-${count}`, token_type: 'bearer', expires_in: 3600 }))
  const { call } = await twoBackends(t, { token_url: `${idp.origin}/token`, scopes: 'read,write', endpoint_params: { audience: ['https://api'] } })
  const answers = await Promise.all(Array.from({ length: 20 }, async () => (await call()).json()))
  t.ok(answers.every((answer) => JSON.stringify(answer) === JSON.stringify({ orders: 'Bearer token-1', other: null })), 'Bearer on its backend, nothing on the sibling')
  t.equal(idp.seen.length, 1, 'twenty concurrent requests, one token request')
  const [asked] = idp.seen
  t.equal(asked!.method, 'POST')
  t.equal(asked!.headers['content-type'], 'application/x-www-form-urlencoded')
  t.equal(asked!.headers.authorization, `Basic ${Buffer.from('gateway:s3cr3t%3A%26').toString('base64')}`, 'id and secret form-escaped, as x/oauth2')
  t.equal(asked!.body.toString(), 'audience=https%3A%2F%2Fapi&grant_type=client_credentials&scope=read+write')
  await call()
  t.equal(idp.seen.length, 1, 'the token is kept')
})

t.test('renewed 10 s before it expires; kept forever without expires_in', async (t) => {
  const idp = await tokenServer(t, (_seen, count, res) => sendJson(res, { access_token: `short-${count}`, expires_in: 11 }))
  const { call } = await twoBackends(t, { token_url: `${idp.origin}/token` })
  t.match(await (await call()).json(), { orders: 'Bearer short-1' })
  await new Promise((resolve) => setTimeout(resolve, 1100))
  t.match(await (await call()).json(), { orders: 'Bearer short-2' }, 'renewed when 10 s are left')
  const forever = await tokenServer(t, (_seen, count, res) => sendJson(res, { access_token: `forever-${count}`, token_type: 'mac' }))
  const kept = await twoBackends(t, { token_url: `${forever.origin}/token` })
  t.match(await (await kept.call()).json(), { orders: 'MAC forever-1' }, "the token's type, in x/oauth2's case")
  await kept.call()
  t.equal(forever.seen.length, 1)
})

t.test('a server that refuses Basic credentials gets them in the form, and that is remembered', async (t) => {
  const idp = await tokenServer(t, (seen, count, res) => {
    if (seen.headers.authorization) return sendJson(res, { error: 'invalid_client' }, 401)
    const form = new URLSearchParams(seen.body.toString())
    if (form.get('client_id') !== 'gateway' || form.get('client_secret') !== 's3cr3t:&') return sendJson(res, { error: 'invalid_client' }, 401)
    res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded' }).end(`access_token=form-${count}&token_type=bearer&expires_in=11`)
  })
  const { call } = await twoBackends(t, { token_url: `${idp.origin}/token` })
  t.match(await (await call()).json(), { orders: 'Bearer form-2' }, 'a form answer is read too')
  await new Promise((resolve) => setTimeout(resolve, 1100))
  await call()
  t.equal(idp.seen.length, 3, 'the renewal went straight to the form')
  t.notOk(idp.seen[2]!.headers.authorization)
})

t.test('a failing token endpoint fails its backend only: a partial answer, logged with its code', async (t) => {
  const idp = await tokenServer(t, (_seen, _count, res) => sendJson(res, { error: 'server_error' }, 500))
  const { call, lines, protectedApi } = await twoBackends(t, { token_url: `${idp.origin}/token` })
  const res = await call()
  t.equal(res.headers.get('x-rxgate-completed'), 'false')
  t.same(await res.json(), { other: null })
  t.equal(protectedApi.seen.length, 0, 'the protected backend is not called without its token')
  await new Promise((resolve) => setTimeout(resolve, 10))
  t.match(JSON.stringify(lines), /RXGATE_ERR_BACKEND_TOKEN/)
  const empty = await tokenServer(t, (_seen, _count, res) => sendJson(res, { token_type: 'bearer' }))
  const missing = await twoBackends(t, { token_url: `${empty.origin}/token` })
  t.equal((await missing.call()).headers.get('x-rxgate-completed'), 'false', 'an answer without access_token')
  const unreachable = await twoBackends(t, { token_url: 'http://127.0.0.1:1/token' })
  t.same(await (await unreachable.call()).json(), { other: null }, 'an unreachable token endpoint')
})

t.test('auth_header_name and is_disabled', async (t) => {
  const idp = await tokenServer(t, (_seen, _count, res) => sendJson(res, { access_token: 'abc' }))
  const custom = await twoBackends(t, { token_url: `${idp.origin}/token`, auth_header_name: 'X-Api-Token' })
  t.same(await (await custom.call()).json(), { orders: 'Bearer abc', other: null })
  const off = await twoBackends(t, { token_url: `${idp.origin}/token`, is_disabled: true })
  t.same(await (await off.call()).json(), { orders: null, other: null })
  t.throws(() => clientCredentials({ client_id: 'a', client_secret: 'b', token_url: 'ftp://idp/token' }), { code: 'RXGATE_ERR_BAD_PLUGIN' })
})
