import { PassThrough, Readable } from 'node:stream'
import { lastValueFrom, of } from 'rxjs'
import t from 'tap'
import { fanOut } from '../../operators/fan-out.js'
import { merge, merged as mergedAnswer, type Merged } from '../../operators/merge.js'
import { failed, type Failed } from '../../operators/part.js'
import type { RawResponse } from '../../lib/backend/index.js'
import { CheckedJson } from '../../lib/codec/checked-json.js'
import { jsonEncoder } from '../../lib/codec/json-encoder.js'
import { rememberSource } from '../../lib/codec/json-source.js'
import { renderFor } from '../../lib/codec/render.js'
import { ErrorCodes, RxgateError } from '../../lib/errors.js'
import { gatewayRequest } from '../fixtures/backends.js'

const request = gatewayRequest()
const accepting = (accept: string) => gatewayRequest({ headers: { accept } })

function merged<T>(data: T, errors: Failed[] = [], delivered = 1): Merged<T> {
  return mergedAnswer({ data, complete: errors.length === 0, delivered, errors })
}
const statusFailure = (source: string, status: number, body = '', contentType?: string) =>
  failed(source, 0, new RxgateError(ErrorCodes.BACKEND_STATUS, `backend http://b/${source} answered ${status}`, {
    status,
    url: `http://b/${source}`,
    body,
    method: 'GET',
    urlPattern: `/${source}`,
    ...(contentType ? { contentType } : {}),
  }))
const timeout = (source: string) => failed(source, 1, new RxgateError(ErrorCodes.TIMEOUT, `source "${source}" missed its deadline`))

t.test('json: 200 with the data, the completion flag, and Cache-Control only on complete answers', async (t) => {
  const render = renderFor('json', { cacheTtl: 300 })
  t.same(render({ a: 1 }, request), {
    status: 200,
    headers: { 'Cache-Control': 'public, max-age=300', 'Content-Type': 'application/json; charset=utf-8' },
    body: '{"a":1}',
    completed: true,
  }, 'plain data is a complete answer')
  t.same(render(merged({ a: 1 }), request).headers, { 'Cache-Control': 'public, max-age=300', 'Content-Type': 'application/json; charset=utf-8' })
  const partial = render(merged({ a: 1 }, [timeout('b')]), request)
  t.equal(partial.status, 200)
  t.equal(partial.completed, false)
  t.equal(partial.body, '{"a":1}')
  t.same(partial.headers, { 'Content-Type': 'application/json; charset=utf-8' }, 'a partial answer is not cached')
  t.same(renderFor('json')(merged({ a: 1 }), request).headers, { 'Content-Type': 'application/json; charset=utf-8' }, 'no ttl, no header')
  const encode = jsonEncoder({ type: 'object', properties: { a: { type: 'integer' } } })
  t.equal(renderFor('json', { encode })(merged({ a: 1, b: 'kept' }), request).body, '{"a":1,"b":"kept"}', 'the compiled encoder')
  t.equal(renderFor('unknown' as never)({ a: 1 }, request).body, '{"a":1}', 'an unknown encoding is json, as KrakenD')
})

const JSON_TYPE = { 'Content-Type': 'application/json; charset=utf-8' }
const errorBody = (code: string, message: string) => JSON.stringify({ error: { code, message } })

t.test('every source failed: 500 with a JSON error that names nothing internal, KrakenD\'s text with return_error_msg', async (t) => {
  const none = merged({}, [timeout('a'), statusFailure('b', 404)], 0)
  t.same(
    renderFor('json', { cacheTtl: 60 })(none, request),
    { status: 500, headers: JSON_TYPE, body: errorBody('RXGATE_ERR_PIPELINE', 'no backend of this endpoint answered'), completed: false },
    'several failures: the pipeline code, never cached',
  )
  const one = renderFor('string')(merged('', [statusFailure('b', 503, 'db password wrong at 10.0.0.3')], 0), request)
  t.same(one, { status: 500, headers: JSON_TYPE, body: errorBody('RXGATE_ERR_BACKEND_STATUS', 'a backend of this endpoint failed'), completed: false }, 'one failure: its code, whatever the encoding')
  t.notMatch(String(one.body), /10\.0\.0\.3|http:\/\/b/, 'neither the backend URL nor its text')
  const shown = renderFor('json', { returnErrorMsg: true })(none, request)
  t.equal(shown.status, 500)
  t.same(shown.headers, { 'Content-Type': 'text/plain; charset=utf-8' })
  t.equal(shown.body, 'context deadline exceeded\ninvalid status code 404 [GET /b]: http://b/b', "Lura's texts, one line per failure")
  const endpointTimeout = new RxgateError(ErrorCodes.ENDPOINT_TIMEOUT, 'the endpoint did not answer within 100ms')
  t.equal(renderFor('json')(merged({}, [failed('', 0, endpointTimeout)], 0), request).status, 504, "the error policy's status for one error")
  t.equal(renderFor('json')(merged({}, [], 0), request).status, 200, 'no sources at all is a complete, empty answer')
})

t.test('return_error_code: a single failed backend answers with its own status (and body with return_error_msg)', async (t) => {
  const notFound = merged({}, [statusFailure('0', 404, '{"error":"no user"}', 'application/json')], 0)
  t.same(renderFor('json', { returnErrorCode: true })(notFound, request), { status: 404, headers: {}, body: '', completed: false })
  t.same(renderFor('json', { returnErrorCode: true, returnErrorMsg: true })(notFound, request), {
    status: 404,
    headers: { 'Content-Type': 'application/json' },
    body: '{"error":"no user"}',
    completed: false,
  })
  const untyped = merged({}, [statusFailure('0', 403, 'forbidden')], 0)
  t.same(renderFor('json', { returnErrorCode: true, returnErrorMsg: true })(untyped, request).headers, { 'Content-Type': 'text/plain; charset=utf-8' })
  t.equal(renderFor('json', { returnErrorCode: true })(merged({}, [timeout('0')], 0), request).status, 500, 'not a status failure: 500')
  const two = merged({}, [statusFailure('0', 404), statusFailure('1', 403)], 0)
  t.equal(renderFor('json', { returnErrorCode: true })(two, request).status, 500, 'two failures: 500')
  t.equal(renderFor('json', { returnErrorCode: true })(merged({ a: 1 }, [statusFailure('1', 404)]), request).status, 200, 'something delivered: 200')
})

t.test('return_error_details: error_<alias> keys, status 200, incomplete', async (t) => {
  const errorDetails = new Map([['0', 'backend_a'], ['1', 'backend_b']])
  const render = renderFor('json', { errorDetails, returnErrorCode: true, cacheTtl: 60 })
  const one = render(merged({ foo: 42 }, [statusFailure('1', 404, '404 page not found\n')]), request)
  t.equal(one.status, 200)
  t.equal(one.completed, false)
  t.same(JSON.parse(one.body as string), { foo: 42, error_backend_b: { http_status_code: 404, http_body: '404 page not found\n' } })
  t.notOk('Cache-Control' in one.headers)
  const all = render(merged({}, [statusFailure('0', 500, 'boom'), statusFailure('1', 404, 'nope')], 0), request)
  t.equal(all.status, 200, 'even when every backend failed: the details are the answer (and win over return_error_code)')
  t.same(JSON.parse(all.body as string), {
    error_backend_a: { http_status_code: 500, http_body: 'boom' },
    error_backend_b: { http_status_code: 404, http_body: 'nope' },
  })
  const late = render(merged({ foo: 42 }, [timeout('1')]), request)
  t.same(JSON.parse(late.body as string), { foo: 42 }, 'a timeout is no HTTP answer: no details key')
  t.equal(render(merged({}, [timeout('1')], 0), request).status, 500)
  const unnamed = renderFor('json', { errorDetails: new Map([['x', 'other']]) })(merged({ foo: 1 }, [statusFailure('1', 404)]), request)
  t.same(JSON.parse(unnamed.body as string), { foo: 1 }, 'only the sources named in the map')
})

t.test('json-collection: the array, from the data or its collection key', async (t) => {
  const render = renderFor('json-collection', { cacheTtl: 10 })
  t.same(render(merged([{ id: 1 }, { id: 2 }]), request), {
    status: 200,
    headers: { 'Cache-Control': 'public, max-age=10', 'Content-Type': 'application/json; charset=utf-8' },
    body: '[{"id":1},{"id":2}]',
    completed: true,
  })
  t.equal(render(merged({ collection: [1, 2], other: true }), request).body, '[1,2]')
  t.equal(render(merged({ items: [1] }), request).body, '[]', 'no array: an empty one')
  t.equal(render(merged({ collection: 'x' }), request).body, '[]')
})

t.test('string: the text, from the data or its content key, as text/plain', async (t) => {
  const render = renderFor('string')
  t.same(render(merged({ content: 'Hello World!' }), request), {
    status: 200,
    headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    body: 'Hello World!',
    completed: true,
  })
  t.equal(render('bare text', request).body, 'bare text')
  t.equal(render(merged({ content: 42 }), request).body, '', 'not a string: empty')
  t.equal(render(merged({ other: 'x' }), request).body, '')
})

t.test('xml and yaml outputs', async (t) => {
  const xml = renderFor('xml')(merged({ user: { '-id': '7', name: 'Ada' } }), request)
  t.equal(xml.body, '<user id="7"><name>Ada</name></user>')
  t.equal(xml.headers['Content-Type'], 'application/xml; charset=utf-8')
  const yaml = renderFor('yaml')(merged({ name: 'Ada' }), request)
  t.equal(yaml.body, 'name: Ada\n')
  t.equal(yaml.headers['Content-Type'], 'application/yaml; charset=utf-8', 'the registered YAML type (RFC 9512)')
})

t.test('negotiate: the format the client accepts, JSON by default, with Vary: Accept', async (t) => {
  const render = renderFor('negotiate', { cacheTtl: 5 })
  const data = merged({ name: 'Ada' })
  const json = render(data, request)
  t.same(json.headers, { Vary: 'Accept', 'Cache-Control': 'public, max-age=5', 'Content-Type': 'application/json; charset=utf-8' })
  t.equal(json.body, '{"name":"Ada"}')
  t.equal(render(data, accepting('application/xml')).body, '<name>Ada</name>')
  t.equal(render(data, accepting('text/xml')).headers['Content-Type'], 'application/xml; charset=utf-8')
  t.equal(render(data, accepting('application/x-yaml')).body, 'name: Ada\n')
  t.equal(render(data, accepting('text/plain')).headers['Content-Type'], 'application/yaml; charset=utf-8', 'text/plain is YAML, as KrakenD')
  t.equal(render(data, accepting('image/png')).body, '{"name":"Ada"}', 'nothing acceptable: JSON, never 406')
  t.same(render(merged({}, [timeout('a')], 0), accepting('application/xml')), {
    status: 500,
    headers: { Vary: 'Accept', ...JSON_TYPE },
    body: errorBody('RXGATE_ERR_TIMEOUT', 'a backend of this endpoint did not answer in time'),
    completed: false,
  })
})

const raw = (status: number, headers: RawResponse['headers'], body: Readable = Readable.from(['x'])): RawResponse => ({ status, headers, body })

t.test('no-op: the backend answer as it came, less hop-by-hop headers, body streamed', async (t) => {
  const render = renderFor('no-op', { cacheTtl: 60 })
  const body = new PassThrough()
  const reply = render(raw(404, {
    'content-type': 'text/html',
    'content-length': '12',
    'set-cookie': ['a=1', 'b=2'],
    connection: 'keep-alive, x-hop',
    'keep-alive': 'timeout=5',
    'transfer-encoding': 'chunked',
    'x-hop': 'dropped',
    'x-kept': 'yes',
  }, body), request)
  t.equal(reply.status, 404)
  t.equal(reply.body, body, 'the very stream')
  t.equal(reply.completed, false, 'as KrakenD marks no-op answers')
  t.same(reply.headers, { 'content-type': 'text/html', 'content-length': '12', 'set-cookie': ['a=1', 'b=2'], 'x-kept': 'yes' })

  const viaMerge = await lastValueFrom(of(request).pipe(fanOut([() => of(raw(201, { 'x-a': '1' }))]), merge()))
  t.equal(render(viaMerge, request).status, 201, "merge()'s copy of a lone raw answer works too")
  t.same(render(merged({}, [timeout('0')], 0), request), {
    status: 500,
    headers: JSON_TYPE,
    body: errorBody('RXGATE_ERR_TIMEOUT', 'a backend of this endpoint did not answer in time'),
    completed: false,
  })
  t.equal(renderFor('no-op', { returnErrorMsg: true })(merged({}, [timeout('0')], 0), request).body, 'context deadline exceeded')
  const wrong = render({ some: 'data' }, request)
  t.equal(wrong.status, 500)
  t.match(wrong.body, /RXGATE_ERR_PIPELINE/)
})

t.test('a raw answer behind a data encoding is a 500, and its body is let go', async (t) => {
  const body = new PassThrough()
  const reply = renderFor('json')(raw(200, {}, body), request)
  t.equal(reply.status, 500)
  t.match(reply.body, /output_encoding no-op/)
  t.ok(body.destroyed, 'the backend is not kept waiting')
})

t.test('verbatim: data that kept its bytes is sent as those bytes; anything else is serialized', async (t) => {
  const text = '{ "name": "Ada",  "n": 1.0 }'
  const value = JSON.parse(text) as Record<string, unknown>
  rememberSource(value, Buffer.from(text))
  t.equal(String(renderFor('json', { verbatim: true })(merged(value), request).body), text)
  t.equal(renderFor('json')(merged(value), request).body, '{"name":"Ada","n":1}', 'not asked: serialized')
  t.equal(renderFor('json', { verbatim: true })(merged({ ...value }), request).body, '{"name":"Ada","n":1}', 'a copy has no bytes')
  const list = JSON.parse('[ 1, 2 ]') as unknown[]
  rememberSource(list, Buffer.from('[ 1, 2 ]'))
  t.equal(String(renderFor('json-collection', { verbatim: true })(merged(list), request).body), '[ 1, 2 ]')
  t.match(renderFor('negotiate', { verbatim: true })(merged(value), accepting('application/xml')).body, /<name>Ada<\/name>/, 'XML is written')
  const checked = new CheckedJson(Buffer.from(text))
  const reply = renderFor('json', { verbatim: true })(merged(checked), request)
  t.equal(reply.body, checked.bytes, 'a checked document: its bytes')
  t.equal(renderFor('json')(merged(checked), request).body, checked.bytes, 'by any json renderer, never serialized as an object')
  t.equal(reply.status, 200)
})
