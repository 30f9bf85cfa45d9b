import t from 'tap'
import { json, startBackends } from '../../helpers/http-backend.js'
import { runGateway } from '../../helpers/run-cli.js'

const text = (body: string, type: string, status = 200) => (_req: unknown, res: import('node:http').ServerResponse) =>
  res.writeHead(status, { 'Content-Type': type, 'X-Backend': 'yes' }).end(body)

t.test('backend encodings: safejson, xml, string', async (t) => {
  const [list, xml, plain] = await startBackends(
    t,
    json([1, 2, 3]),
    text('<user id="7"><name>Ada</name><tags><tag>a</tag><tag>b</tag></tags></user>', 'application/xml'),
    text('hello there', 'text/plain'),
  )
  const { base } = await runGateway(t, {
    endpoints: [
      { endpoint: '/safe', backend: [{ host: [list!.url], url_pattern: '/', encoding: 'safejson' }] },
      { endpoint: '/xml', backend: [{ host: [xml!.url], url_pattern: '/', encoding: 'xml' }] },
      { endpoint: '/string', backend: [{ host: [plain!.url], url_pattern: '/', encoding: 'string' }] },
    ],
  })
  t.same(await (await fetch(`${base}/safe`)).json(), { collection: [1, 2, 3] })
  t.match(await (await fetch(`${base}/xml`)).json(), { user: { name: 'Ada' } })
  t.same(await (await fetch(`${base}/string`)).json(), { content: 'hello there' })
})

t.test('output encodings: json-collection, string, negotiate, yaml, no-op', async (t) => {
  const [list, doc, missing] = await startBackends(t, json([{ id: 1 }, { id: 2 }]), json({ name: 'Ada' }), text('nope', 'text/plain', 404))
  const { base } = await runGateway(t, {
    endpoints: [
      { endpoint: '/list', output_encoding: 'json-collection', backend: [{ host: [list!.url], url_pattern: '/', is_collection: true }] },
      { endpoint: '/negotiate', output_encoding: 'negotiate', backend: [{ host: [doc!.url], url_pattern: '/' }] },
      { endpoint: '/yaml', output_encoding: 'yaml', backend: [{ host: [doc!.url], url_pattern: '/' }] },
      { endpoint: '/raw', output_encoding: 'no-op', backend: [{ host: [missing!.url], url_pattern: '/raw', encoding: 'no-op' }] },
    ],
  })
  t.same(await (await fetch(`${base}/list`)).json(), [{ id: 1 }, { id: 2 }])

  const asJson = await fetch(`${base}/negotiate`, { headers: { accept: 'application/json' } })
  t.match(asJson.headers.get('content-type'), /application\/json/)
  t.same(await asJson.json(), { name: 'Ada' })
  const asXml = await fetch(`${base}/negotiate`, { headers: { accept: 'application/xml' } })
  t.match(asXml.headers.get('content-type'), /xml/)
  t.match(await asXml.text(), /<name>Ada<\/name>/)

  const yaml = await fetch(`${base}/yaml`)
  t.equal(yaml.headers.get('content-type'), 'application/yaml; charset=utf-8', 'the registered YAML type')
  t.equal(await yaml.text(), 'name: Ada\n')

  const raw = await fetch(`${base}/raw`)
  t.equal(raw.status, 404, 'no-op passes the status through')
  t.equal(raw.headers.get('x-backend'), 'yes', 'and the headers')
  t.equal(await raw.text(), 'nope', 'and the body')
})

t.test('errors: return_error_code, return_error_details, return_error_msg; cache_ttl on complete answers', async (t) => {
  const [missing, ok] = await startBackends(t, text('{"why":"no such user"}', 'application/json', 404), json({ fine: true }))
  const { base } = await runGateway(t, {
    extra_config: { router: { return_error_msg: true } },
    cache_ttl: '1m',
    endpoints: [
      {
        endpoint: '/code',
        backend: [{ host: [missing!.url], url_pattern: '/', extra_config: { 'backend/http': { return_error_code: true } } }],
      },
      {
        endpoint: '/details',
        backend: [
          { host: [ok!.url], url_pattern: '/' },
          { host: [missing!.url], url_pattern: '/', extra_config: { 'backend/http': { return_error_details: 'users' } } },
        ],
      },
      { endpoint: '/cached', cache_ttl: '30s', backend: [{ host: [ok!.url], url_pattern: '/' }] },
      { endpoint: '/inherited', backend: [{ host: [ok!.url], url_pattern: '/' }] },
    ],
  })
  const code = await fetch(`${base}/code`)
  t.equal(code.status, 404, "the backend's status")
  t.match(await code.text(), /no such user/, 'its body, with return_error_msg')

  const details = await fetch(`${base}/details`)
  t.equal(details.status, 200)
  t.match(await details.json(), { fine: true, error_users: { http_status_code: 404, http_body: /no such user/ } })
  t.equal(details.headers.get('cache-control'), null, 'no cache header on an incomplete answer')

  t.equal((await fetch(`${base}/cached`)).headers.get('cache-control'), 'public, max-age=30')
  t.equal((await fetch(`${base}/inherited`)).headers.get('cache-control'), 'public, max-age=60')
})

t.test('one json backend passed whole: its document as it came, checked; shaped or broken ones not', async (t) => {
  const document = '{ "name": "Ada",\n  "score": 1.0, "tags": ["a"] }'
  const [doc, broken] = await startBackends(t, text(document, 'application/json'), text('{"name": "Ada", ', 'application/json'))
  const { base } = await runGateway(t, {
    endpoints: [
      { endpoint: '/whole', backend: [{ host: [doc!.url], url_pattern: '/' }] },
      { endpoint: '/allowed', backend: [{ host: [doc!.url], url_pattern: '/', allow: ['name'] }] },
      { endpoint: '/two', backend: [{ host: [doc!.url], url_pattern: '/', group: 'g' }, { host: [doc!.url], url_pattern: '/b' }] },
      { endpoint: '/broken', backend: [{ host: [broken!.url], url_pattern: '/' }] },
    ],
  })
  const whole = await fetch(`${base}/whole`)
  t.equal(whole.headers.get('x-rxgate-completed'), 'true')
  t.equal(whole.headers.get('content-type'), 'application/json; charset=utf-8')
  t.equal(whole.headers.get('content-length'), String(Buffer.byteLength(document)), 'sent whole, with its length')
  t.equal(await whole.text(), document, 'the bytes as the backend sent them')
  t.equal(await (await fetch(`${base}/allowed`)).text(), '{"name":"Ada"}')
  t.same(await (await fetch(`${base}/two`)).json(), { g: { name: 'Ada', score: 1, tags: ['a'] }, name: 'Ada', score: 1, tags: ['a'] })
  const failed = await fetch(`${base}/broken`)
  t.equal(failed.status, 500, 'a body that does not parse is still a failed backend')
  t.equal(failed.headers.get('x-rxgate-completed'), 'false')
})
