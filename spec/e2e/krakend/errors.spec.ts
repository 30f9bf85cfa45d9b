import type { IncomingMessage, ServerResponse } from 'node:http'
import t from 'tap'
import { json, startBackends } from '../../helpers/http-backend.js'
import { runGateway } from '../../helpers/run-cli.js'

// The error policy, through the real CLI: a client never reads an internal URL or a backend's
// text unless the file says return_error_msg, and then it reads what KrakenD would write.

function failing(status: number, body: string, type = 'text/plain') {
  return (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, { 'Content-Type': type, 'X-Internal-Secret': 's3cret' }).end(body)
  }
}

const SECRET = /127\.0\.0\.1|s3cret|db-7\.internal|stack/

async function gatewayOver(t: Parameters<typeof runGateway>[0], returnErrorMsg: boolean) {
  const [broken, ok] = await startBackends(t, failing(503, 'db-7.internal is down'), json({ fine: true }))
  const refused = 'http://127.0.0.1:1'
  const { base } = await runGateway(t, {
    ...(returnErrorMsg ? { extra_config: { router: { return_error_msg: true } } } : {}),
    endpoints: [
      { endpoint: '/status/{id}', backend: [{ host: [broken!.url], url_pattern: '/users/{id}' }] },
      { endpoint: '/two', backend: [{ host: [broken!.url], url_pattern: '/a' }, { host: [refused], url_pattern: '/b' }] },
      { endpoint: '/noop', output_encoding: 'no-op', backend: [{ host: [refused], url_pattern: '/x', encoding: 'no-op' }] },
      { endpoint: '/partial', backend: [{ host: [broken!.url], url_pattern: '/a' }, { host: [ok!.url], url_pattern: '/b' }] },
    ],
  })
  return base
}

t.test('return_error_msg off: JSON errors with a code and a fixed message, nothing internal', async (t) => {
  const base = await gatewayOver(t, false)
  for (const [path, code] of [
    ['/status/7', 'RXGATE_ERR_BACKEND_STATUS'],
    ['/two', 'RXGATE_ERR_PIPELINE'],
    ['/noop', 'RXGATE_ERR_BACKEND_NETWORK'],
  ] as const) {
    const res = await fetch(`${base}${path}`)
    const body = await res.text()
    t.equal(res.status, 500, path)
    t.equal(res.headers.get('content-type'), 'application/json; charset=utf-8', path)
    t.equal(res.headers.get('x-internal-secret'), null, `${path}: no backend header`)
    t.equal(res.headers.get('x-rxgate-completed'), 'false', path)
    t.equal((JSON.parse(body) as { error: { code: string } }).error.code, code, path)
    t.notMatch(body, SECRET, `${path}: no URL, no backend text`)
  }
  const partial = await fetch(`${base}/partial`)
  t.equal(partial.status, 200)
  t.same(await partial.json(), { fine: true }, 'what did arrive, and nothing of the failure')
})

t.test("return_error_msg on: KrakenD's texts, as text/plain", async (t) => {
  const base = await gatewayOver(t, true)
  const status = await fetch(`${base}/status/7`)
  t.equal(status.status, 500)
  t.equal(status.headers.get('content-type'), 'text/plain; charset=utf-8')
  const text = await status.text()
  t.match(text, /^invalid status code 503 \[GET \/users\/\{id\}\]: http:\/\/127\.0\.0\.1:\d+\/users\/7$/, "Lura's message for a bad status")
  const two = await (await fetch(`${base}/two`)).text()
  t.equal(two.split('\n').length, 2, 'one line per failed backend, as Lura joins them')
  t.match(two.split('\n')[0], /^invalid status code 503 \[GET \/a\]: /)
})

t.test('return_error_details names the backend body encoding, as Lura does', async (t) => {
  const [missing, ok] = await startBackends(t, failing(404, '{"why":"gone"}', 'application/json'), json({ fine: true }))
  const { base } = await runGateway(t, {
    endpoints: [
      {
        endpoint: '/details',
        backend: [
          { host: [ok!.url], url_pattern: '/' },
          { host: [missing!.url], url_pattern: '/', extra_config: { 'backend/http': { return_error_details: 'users' } } },
        ],
      },
    ],
  })
  t.same(await (await fetch(`${base}/details`)).json(), {
    fine: true,
    error_users: { http_status_code: 404, http_body: '{"why":"gone"}', http_body_encoding: 'application/json' },
  })
})

t.test('a backend document is data, whatever its keys: it is never mistaken for a merged answer', async (t) => {
  const lookalike = { complete: false, errors: [], data: { rows: 3 }, delivered: 0 }
  const [backend] = await startBackends(t, json(lookalike))
  const { base } = await runGateway(t, {
    endpoints: [
      { endpoint: '/whole', backend: [{ host: [backend!.url], url_pattern: '/' }] },
      { endpoint: '/shaped', backend: [{ host: [backend!.url], url_pattern: '/', deny: ['delivered'] }] },
    ],
  })
  for (const [path, expected] of [
    ['/whole', lookalike],
    ['/shaped', { complete: false, errors: [], data: { rows: 3 } }],
  ] as const) {
    const res = await fetch(`${base}${path}`)
    t.equal(res.status, 200, path)
    t.equal(res.headers.get('x-rxgate-completed'), 'true', path)
    t.same(await res.json(), expected, path)
  }
})
