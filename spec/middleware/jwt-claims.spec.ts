import t from 'tap'
import { claimReader, claimText, hasAnyRole, hasScopes } from '../../lib/middleware/jwt-claims.js'

t.test('claimText writes a claim as krakend-jose does (Claims.Get)', async (t) => {
  t.equal(claimText('ada'), 'ada')
  t.equal(claimText(1_700_000_000), '1700000000', 'a whole number without decimals')
  t.equal(claimText(1e21), '1000000000000000000000', 'even past the safe integers')
  t.equal(claimText(0.5), '0.500000', 'others as %f')
  t.equal(claimText(['a', 1, 1234567, 0.00001, true, null, ['x', 'y'], { b: 1, a: 2 }]), 'a,1,1.234567e+06,1e-05,true,<nil>,[x y],map[a:2 b:1]', "list items as Go's %v")
  t.equal(claimText({ b: [1], a: { d: 1, c: 2 } }), '{"a":{"c":2,"d":1},"b":[1]}', 'objects as JSON, keys sorted')
  t.equal(claimText(true), 'true')
  t.equal(claimText(null), 'null')
  t.equal(claimText(undefined), undefined)
})

t.test('claimReader: a key as written, or a dotted path through objects only', async (t) => {
  const claims = { a: { b: { c: 1 } }, 'a.b': 'literal', list: [{ x: 1 }] }
  t.equal(claimReader('a.b', false)(claims), 'literal')
  t.same(claimReader('a.b', true)(claims), { c: 1 })
  t.equal(claimReader('a.b.c', true)(claims), 1)
  t.equal(claimReader('list.0.x', true)(claims), undefined, 'no walking into lists')
  t.equal(claimReader('toString', false)(claims), undefined, 'own keys only')
  t.equal(claimReader('a.constructor', true)(claims), undefined)
})

t.test('roles: any of the required ones; scopes: any or all, as a string or a list', async (t) => {
  t.ok(hasAnyRole(['a', 'b'], []), 'nothing required')
  t.ok(hasAnyRole(['a', 'b'], ['b', 'c']))
  t.ok(hasAnyRole('a b', ['b']))
  t.notOk(hasAnyRole(['a'], ['b']))
  t.notOk(hasAnyRole({ a: true }, ['a']), 'an object holds no roles')
  t.notOk(hasAnyRole([1], ['1']), 'numbers are not role names')
  t.ok(hasScopes('read write', ['write', 'admin'], 'any'))
  t.notOk(hasScopes('read write', ['write', 'admin'], 'all'))
  t.ok(hasScopes(['read', 'write'], ['read', 'write'], 'all'))
  t.notOk(hasScopes(undefined, ['read'], 'any'))
})
