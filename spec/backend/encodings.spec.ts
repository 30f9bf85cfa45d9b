import { lastValueFrom } from 'rxjs'
import t from 'tap'
import { closeAll, httpCall } from '../../lib/backend/index.js'
import { failure, gatewayRequest, httpBackend, sendJson } from '../fixtures/backends.js'

t.teardown(closeAll)

t.test('safejson: an object as it is, an array under collection, any other value under content', async (t) => {
  const values: Record<string, unknown> = {
    '/object': { a: 1, b: [1, 2] },
    '/array': [{ id: 1 }, { id: 2 }],
    '/string': 'Hello World!',
    '/number': 42.5,
    '/boolean': false,
    '/null': null,
  }
  const backend = await httpBackend((req, res) => (req.url! in values ? sendJson(res, values[req.url!]) : res.writeHead(200).end()))
  t.teardown(backend.close)
  const call = (path: string, options = {}) =>
    lastValueFrom(httpCall(`${backend.origin}${path}`, { encoding: 'safejson', ...options })(gatewayRequest()))

  t.same(await call('/object'), { a: 1, b: [1, 2] })
  t.same(await call('/array'), { collection: [{ id: 1 }, { id: 2 }] })
  t.same(await call('/string'), { content: 'Hello World!' })
  t.same(await call('/number'), { content: 42.5 })
  t.same(await call('/boolean'), { content: false })
  t.same(await call('/null'), { content: null })
  t.same(await call('/array', { allow: ['collection.id'] }), { collection: [{ id: 1 }, { id: 2 }] }, 'allow sees the wrapper')
  t.same(await call('/object', { deny: ['b'] }), { a: 1 })
  await t.rejects(call('/broken'), { code: 'RXGATE_ERR_BACKEND_DECODE' }, 'an empty body is not JSON')
})

t.test('safejson streams a large array and still wraps it', async (t) => {
  const items = Array.from({ length: 40_000 }, (_, id) => ({ id, name: `item ${id}`, tags: ['a', 'b'] }))
  const text = JSON.stringify(items)
  t.ok(text.length > 1024 * 1024, 'past the JSON streaming threshold')
  const backend = await httpBackend((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }) // no length: chunked
    res.end(text)
  })
  t.teardown(backend.close)
  const value = (await lastValueFrom(httpCall(`${backend.origin}/x`, { encoding: 'safejson' })(gatewayRequest()))) as { collection: unknown[] }
  t.equal(value.collection.length, 40_000)
  t.same(value.collection[39_999], { id: 39_999, name: 'item 39999', tags: ['a', 'b'] })
})

const PERSON = `<?xml version="1.0" encoding="UTF-8"?>
<!-- a person -->
<Person id="1">
  <FullName>Alice</FullName>
  <Company>Acme &amp; Co</Company>
  <Email where="home"><Addr>gre@example.com</Addr></Email>
  <Email where='work'><Addr>gre@work.com</Addr></Email>
  <Group><Value>Friends</Value><Value>Squash</Value></Group>
  <Age>36</Age>
  <Note lang="en">first &#65;<![CDATA[<raw>]]></Note>
  <Empty/>
</Person>`

t.test('xml: attributes as -name, text as #text, repeated elements as arrays, every value a string', async (t) => {
  const backend = await httpBackend((req, res) => {
    const body = req.url === '/person' ? PERSON : req.url === '/bom' ? '\ufeff<a><b>1</b></a>' : req.url === '/three' ? '3' : '<a><b></a>'
    res.writeHead(200, { 'content-type': 'application/xml' }).end(body)
  })
  t.teardown(backend.close)
  const call = (path: string, options = {}) =>
    lastValueFrom(httpCall(`${backend.origin}${path}`, { encoding: 'xml', ...options })(gatewayRequest()))

  t.same(await call('/person'), {
    Person: {
      '-id': '1',
      FullName: 'Alice',
      Company: 'Acme & Co',
      Email: [
        { '-where': 'home', Addr: 'gre@example.com' },
        { '-where': 'work', Addr: 'gre@work.com' },
      ],
      Group: { Value: ['Friends', 'Squash'] },
      Age: '36',
      Note: { '-lang': 'en', '#text': 'first A<raw>' },
      Empty: '',
    },
  })
  t.same(await call('/bom'), { a: { b: '1' } }, 'a byte order mark is skipped')
  t.same(await call('/person', { allow: ['Person.FullName', 'Person.Email.-where'] }), {
    Person: { FullName: 'Alice', Email: [{ '-where': 'home' }, { '-where': 'work' }] },
  })
  const three = await failure(call('/three'))
  t.equal(three.code, 'RXGATE_ERR_BACKEND_DECODE', 'a bare value is not a document, as in KrakenD')
  t.equal(three.details.body, '3')
  await t.rejects(call('/broken'), { code: 'RXGATE_ERR_BACKEND_DECODE', message: /could not be decoded/ })
  await t.rejects(call('/person', { maxBodyBytes: 100 }), { code: 'RXGATE_ERR_BACKEND_TOO_LARGE' }, 'bounded by maxBodyBytes')
})

t.test('string: the raw text, left for the pipeline to wrap under content', async (t) => {
  const backend = await httpBackend((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('Hello World!'))
  t.teardown(backend.close)
  t.equal(await lastValueFrom(httpCall(`${backend.origin}/x`, { encoding: 'string' })(gatewayRequest())), 'Hello World!')
})
