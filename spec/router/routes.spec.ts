import t from 'tap'
import { Routes } from '../../lib/router/routes.js'

t.test('finds routes by {param} placeholders, with params decoded', async (t) => {
  const routes = new Routes<string>()
  routes.add('GET', '/users/{id}', 'user')
  routes.add('GET', '/users/{id}/posts/{post}', 'post')
  t.same(routes.find('GET', '/users/42'), { kind: 'found', route: 'user', params: { id: '42' } })
  t.same(routes.find('GET', '/users/a%2Fb/posts/%3F'), { kind: 'found', route: 'post', params: { id: 'a/b', post: '?' } })
  t.same(routes.find('GET', '/users/'), { kind: 'not-found' }, 'an empty param fills nothing')
})

t.test('param names as KrakenD allows them, dashes and dots included', async (t) => {
  const routes = new Routes<string>()
  routes.add('GET', '/users/{user-id}/files/{file.name}', 'file')
  t.same(routes.find('GET', '/users/7/files/a.txt'), { kind: 'found', route: 'file', params: { 'user-id': '7', 'file.name': 'a.txt' } })
})

t.test('a static segment beside a param at the same level, and wildcards', async (t) => {
  const routes = new Routes<string>()
  routes.add('GET', '/users/{id}', 'user')
  routes.add('GET', '/users/me', 'me')
  routes.add('GET', '/assets/*', 'assets')
  t.match(routes.find('GET', '/users/me'), { kind: 'found', route: 'me' })
  t.match(routes.find('GET', '/users/mel'), { kind: 'found', route: 'user', params: { id: 'mel' } })
  t.match(routes.find('GET', '/assets/css/site.css'), { kind: 'found', route: 'assets', params: { '*': 'css/site.css' } })
  t.match(routes.find('GET', '/assets/'), { kind: 'found', route: 'assets', params: { '*': '' } })
})

t.test('tells not-found from method-not-allowed, with the allowed methods', async (t) => {
  const routes = new Routes<string>()
  routes.add('GET', '/items/{id}', 'get')
  routes.add('DELETE', '/items/{id}', 'delete')
  t.same(routes.find('GET', '/nothing'), { kind: 'not-found' })
  t.same(routes.find('POST', '/items/'), { kind: 'not-found' }, 'an empty param matches no method')
  t.same(routes.find('POST', '/items/1'), { kind: 'method-not-allowed', allowed: ['GET', 'DELETE'] })
})

t.test('rejects unusable routes at start-up with a clear error', async (t) => {
  const routes = new Routes<string>()
  routes.add('GET', '/a/{id}', 'a')
  t.throws(() => routes.add('GET', 'no-slash', 'x'), { code: 'RXGATE_ERR_BAD_ROUTE', message: /must start with "\/"/ })
  t.throws(() => routes.add('GET', '/a/{id}', 'again'), { code: 'RXGATE_ERR_BAD_ROUTE' })
})

t.test("fixedPath: a path that matches but for letter case, in the route's own case with the client's values", async (t) => {
  const routes = new Routes<string>()
  routes.add('GET', '/static', 'static')
  routes.add('GET', '/Users/{id}/posts', 'posts')
  routes.add('GET', '/assets/*', 'assets')
  t.equal(routes.fixedPath('GET', '/STATIC'), '/static')
  t.equal(routes.fixedPath('GET', '/users/AdA/Posts'), '/Users/AdA/posts')
  t.equal(routes.fixedPath('GET', '/ASSETS/Css/Site.css'), '/assets/Css/Site.css', 'the wildcard keeps what the client wrote')
  t.equal(routes.fixedPath('GET', '/static'), undefined, 'already right: nothing to fix')
  t.equal(routes.fixedPath('POST', '/STATIC'), undefined, 'another method: no route')
  t.equal(routes.fixedPath('GET', '/elsewhere'), undefined)
})
