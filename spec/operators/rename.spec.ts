import t from 'tap'
import { of } from 'rxjs'
import { rename } from '../../operators/rename.js'
import { marbles } from './fixtures/marbles.js'

function renameNow(mapping: Record<string, string>, value: unknown): unknown {
  let out: unknown
  of(value).pipe(rename(mapping)).subscribe((v) => (out = v))
  return out
}

t.test('renames top-level keys', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const source = cold('a-b|', { a: { id: 1, email: 'ada@example.com' }, b: { email: 'bob@example.com' } })
    expectObservable(source.pipe(rename({ email: 'personal_email' }))).toBe('a-b|', {
      a: { id: 1, personal_email: 'ada@example.com' },
      b: { personal_email: 'bob@example.com' },
    })
  })
})

t.test('a renamed key keeps its place in the key order', async (t) => {
  const out = renameNow({ b: 'beta' }, { a: 1, b: 2, c: 3 })
  t.strictSame(Object.keys(out as object), ['a', 'beta', 'c'])
})

t.test('a missing key is simply absent, and nested keys are not touched', async (t) => {
  t.strictSame(renameNow({ email: 'mail', id: 'key' }, { id: 1, user: { email: 'x' } }), { key: 1, user: { email: 'x' } })
})

t.test('values that are not plain objects pass through unchanged', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const source = cold('abcd|', { a: [{ email: 'x' }], b: 'email', c: null, d: 3 })
    expectObservable(source.pipe(rename({ email: 'mail' }))).toBe('abcd|', { a: [{ email: 'x' }], b: 'email', c: null, d: 3 })
  })
})

t.test('renames apply all at once: two keys can swap', async (t) => {
  const out = renameNow({ a: 'b', b: 'a' }, { a: 1, b: 2 })
  t.strictSame(out, { b: 1, a: 2 })
  t.strictSame(Object.keys(out as object), ['b', 'a'])
})

t.test('a renamed key replaces a field that already had the new name, as in KrakenD', async (t) => {
  t.strictSame(renameNow({ email: 'contact' }, { contact: 'old', email: 'new' }), { contact: 'new' })
  t.strictSame(renameNow({ email: 'contact' }, { email: 'new', contact: 'old' }), { contact: 'new' })
  // Without the renamed key present, the existing field stays.
  t.strictSame(renameNow({ email: 'contact' }, { contact: 'old' }), { contact: 'old' })
})

t.test('keys are taken literally, dots included', async (t) => {
  t.strictSame(renameNow({ 'a.b': 'c.d' }, { 'a.b': 1, a: { b: 2 } }), { 'c.d': 1, a: { b: 2 } })
})

t.test('does not modify its input', async (t) => {
  const input = { email: 'x', id: 1 }
  renameNow({ email: 'mail' }, input)
  t.strictSame(input, { email: 'x', id: 1 })
})

t.test('inherited keys are never renamed, and "__proto__" stays a plain field', async (t) => {
  t.strictSame(renameNow({ constructor: 'c', toString: 's' }, { id: 1 }), { id: 1 })
  const out = renameNow({ data: '__proto__' }, { data: { admin: true } }) as Record<string, unknown>
  t.equal(Object.getPrototypeOf(out), Object.prototype)
  t.equal(out.admin, undefined)
  t.equal(JSON.stringify(out), '{"__proto__":{"admin":true}}')
  const hostile: unknown = JSON.parse('{"__proto__": {"admin": true}, "id": 1}')
  const kept = renameNow({ id: 'key' }, hostile) as Record<string, unknown>
  t.equal(kept.admin, undefined)
  t.equal(JSON.stringify(kept), '{"__proto__":{"admin":true},"key":1}')
})

t.test('source errors pass through untouched', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const error = new Error('boom')
    expectObservable(cold('a#', { a: { x: 1 } }, error).pipe(rename({ x: 'y' }))).toBe('a#', { a: { y: 1 } }, error)
  })
})

t.test('rejects a bad mapping when it is created', async (t) => {
  const bad = { code: 'RXGATE_ERR_BAD_ARGUMENT' }
  t.throws(() => rename({ email: '' }), { ...bad, message: /new key for "email"/ })
  t.throws(() => rename({ '': 'x' }), { ...bad, message: /old key/ })
  t.throws(() => rename({ email: 3 } as never), bad)
  t.throws(() => rename({ a: 'x', b: 'x' }), { ...bad, message: /"a" and "b" are both renamed to "x"/ })
  t.throws(() => rename(null as never), bad)
  t.throws(() => rename([['a', 'b']] as never), bad)
  t.doesNotThrow(() => rename({}))
})
