import { firstValueFrom, lastValueFrom } from 'rxjs'
import t from 'tap'
import { closeAll, httpCall } from '../../lib/backend/index.js'
import { compileUrlTemplate } from '../../lib/backend/url-template.js'
import { gatewayRequest, httpBackend, sendJson } from '../fixtures/backends.js'

t.teardown(closeAll)

t.test('compiles once, fills parameters, keeps the template literal parts', async (t) => {
  const template = compileUrlTemplate('http://API.example:8080/users/{id}/posts?sort=new&q={term}')
  t.equal(template.origin, 'http://api.example:8080')
  t.equal(template.hasQuery, true)
  t.same([...template.queryKeys], ['sort', 'q'])
  t.equal(template.path({ id: '42', term: 'a b&c=d' }), '/users/42/posts?sort=new&q=a%20b%26c%3Dd')
  t.equal(compileUrlTemplate('http://api').path({}), '/')
  t.equal(compileUrlTemplate('http://api?x=1').path({}), '/?x=1')
})

t.test('a parameter cannot change the path or the query', async (t) => {
  const template = compileUrlTemplate('http://api/users/{id}/profile')
  t.equal(template.path({ id: '../admin' }), '/users/..%2Fadmin/profile')
  t.equal(template.path({ id: '%2F..%2F' }), '/users/%252F..%252F/profile')
  t.equal(template.path({ id: 'x?admin=1#frag' }), '/users/x%3Fadmin%3D1%23frag/profile')
  t.equal(template.path({ id: '..' }), '/users/%2E%2E/profile')
  t.equal(template.path({ id: '.' }), '/users/%2E/profile')
})

t.test('the backend receives exactly the encoded path', async (t) => {
  const backend = await httpBackend((_req, res) => sendJson(res, { ok: true }))
  t.teardown(backend.close)
  const call = httpCall(`${backend.origin}/users/{id}/orders?q={term}`)
  const attacks = [
    ['../../admin', '/users/..%2F..%2Fadmin/orders?q=x'],
    ['a%2Fb', '/users/a%252Fb/orders?q=x'],
    ['x?admin=true', '/users/x%3Fadmin%3Dtrue/orders?q=x'],
    ['x#top', '/users/x%23top/orders?q=x'],
    ['..', '/users/%2E%2E/orders?q=x'],
  ]
  for (const [id, path] of attacks as [string, string][]) {
    await firstValueFrom(call(gatewayRequest({ params: { id, term: 'x' } })))
    t.equal(backend.seen.at(-1)?.url, path, id)
  }
  await firstValueFrom(call(gatewayRequest({ params: { id: '7', term: 'a&admin=1' } })))
  t.equal(backend.seen.at(-1)?.url, '/users/7/orders?q=a%26admin%3D1', 'a query value stays one value')
})

t.test('a parameter the request lacks fails the call with MISSING_PARAM, naming it', async (t) => {
  const call = httpCall('http://127.0.0.1:9/users/{id}')
  await t.rejects(lastValueFrom(call(gatewayRequest({ params: { other: '1' } }))), {
    code: 'RXGATE_ERR_MISSING_PARAM',
    details: { param: 'id' },
  })
  const inherited = Object.create({ id: 'from-prototype' }) as Record<string, string>
  await t.rejects(lastValueFrom(call(gatewayRequest({ params: inherited }))), { code: 'RXGATE_ERR_MISSING_PARAM' })
})

t.test('a malformed template fails at creation with BAD_BACKEND', async (t) => {
  for (const bad of ['/users/{id}', 'ftp://host/x', 'http://{host}/x', 'http://api/x/{id', 'http://api/x/{}', 'http://api/x#frag']) {
    t.throws(() => httpCall(bad), { code: 'RXGATE_ERR_BAD_BACKEND' }, bad)
  }
})

t.test('{JWT.claim} and {JWT.a.b}: the token\'s claims, written as KrakenD writes them, encoded as parameters are', async (t) => {
  const template = compileUrlTemplate('http://api/users/{JWT.sub}/orgs/{JWT.org.id}?roles={JWT.roles}&n={JWT.level}&k={JWT.dotted.key}')
  const claims = { sub: '../admin', org: { id: 7 }, roles: ['a b', 'c'], level: 2.5, 'dotted.key': 'as written' }
  t.equal(template.path({}, claims), '/users/..%2Fadmin/orgs/7?roles=a%20b%2Cc&n=2.500000&k=as%20written')
  t.equal(compileUrlTemplate('http://api/{JWT.sub}').path({}, { sub: '..' }), '/%2E%2E', 'a claim cannot climb either')
  t.throws(() => template.path({}, { org: { id: 7 } }), { code: 'RXGATE_ERR_MISSING_PARAM', message: /needs the claim "sub" of the request's token/ })
  t.throws(() => template.path({}), { code: 'RXGATE_ERR_MISSING_PARAM' }, 'no claims at all: no auth/validator')
})
