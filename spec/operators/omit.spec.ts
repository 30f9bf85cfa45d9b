import t from 'tap'
import { of } from 'rxjs'
import { omit } from '../../operators/omit.js'
import { DEEP_STACK, depthOf, innermost, nestedArrays, underDeepStack } from '../helpers/deep.js'
import { marbles } from './fixtures/marbles.js'

t.test('removes the listed fields and keeps the rest, nested by dot paths', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const user = { id: 1, password: 'x', profile: { name: 'Ada', token: 't', deep: { secret: 1, open: 2 } } }
    const source = cold('-a-b|', { a: user, b: { id: 2 } })
    expectObservable(source.pipe(omit(['password', 'profile.token', 'profile.deep.secret']))).toBe('-a-b|', {
      a: { id: 1, profile: { name: 'Ada', deep: { open: 2 } } },
      b: { id: 2 },
    })
  })
})

t.test('walks through arrays of objects and leaves arrays of primitives alone', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const order = { items: [{ sku: 'a', cost: 1 }, { sku: 'b', cost: 2 }], tags: ['x', 'y'] }
    const source = cold('a-b|', { a: order, b: [{ id: 1, cost: 1 }, 'loose', 3] })
    expectObservable(source.pipe(omit(['items.cost', 'tags.cost', 'cost']))).toBe('a-b|', {
      a: { items: [{ sku: 'a' }, { sku: 'b' }], tags: ['x', 'y'] },
      b: [{ id: 1 }, 'loose', 3],
    })
  })
})

t.test('a shorter path wins over a longer one it prefixes, whatever their order', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const source = cold('a|', { a: { a: { b: 1, c: 2 }, b: 3 } })
    expectObservable(source.pipe(omit(['a', 'a.b']))).toBe('a|', { a: { b: 3 } })
    expectObservable(source.pipe(omit(['a.b', 'a']))).toBe('a|', { a: { b: 3 } })
  })
})

t.test('missing fields, non-objects and an empty list change nothing', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const source = cold('abc|', { a: { id: 1, address: 'text' }, b: 'text', c: null })
    expectObservable(source.pipe(omit(['password', 'address.city']))).toBe('abc|', { a: { id: 1, address: 'text' }, b: 'text', c: null })
    expectObservable(source.pipe(omit([]))).toBe('abc|', { a: { id: 1, address: 'text' }, b: 'text', c: null })
  })
})

t.test('source errors pass through untouched', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const error = new Error('boom')
    expectObservable(cold('a#', { a: { id: 1, x: 2 } }, error).pipe(omit(['x']))).toBe('a#', { a: { id: 1 } }, error)
  })
})

t.test('does not modify its input', async (t) => {
  const input = { id: 1, nested: { a: 1, b: 2 } }
  let out: unknown
  of(input).pipe(omit(['nested.a'])).subscribe((v) => (out = v))
  t.strictSame(out, { id: 1, nested: { b: 2 } })
  t.strictSame(input, { id: 1, nested: { a: 1, b: 2 } })
})

t.test('a "__proto__" key from JSON stays a field and never becomes the prototype', async (t) => {
  const hostile: unknown = JSON.parse('{"__proto__": {"admin": true}, "id": 1, "password": "x"}')
  let out: unknown
  of(hostile).pipe(omit(['password'])).subscribe((v) => (out = v))
  const kept = out as Record<string, unknown>
  t.equal(Object.getPrototypeOf(kept), Object.prototype)
  t.equal(kept.admin, undefined)
  t.equal(JSON.stringify(kept), '{"__proto__":{"admin":true},"id":1}')
  of(hostile).pipe(omit(['__proto__'])).subscribe((v) => (out = v))
  t.equal(JSON.stringify(out), '{"id":1,"password":"x"}')
})

t.test('rejects bad paths when it is created', async (t) => {
  const bad = { code: 'RXGATE_ERR_BAD_ARGUMENT' }
  t.throws(() => omit(['']), bad)
  t.throws(() => omit(['a..b']), { ...bad, message: /empty segment/ })
  t.throws(() => omit([null] as never), bad)
  t.throws(() => omit(undefined as never), bad)
})

t.test('10,000-deep data from a backend, omitted from deep inside an RxJS stack', async (t) => {
  const doc = { id: 1, items: nestedArrays(10_000, { sku: 'a', secret: 's' }), secret: 'x' }
  const values: unknown[] = []
  underDeepStack(DEEP_STACK, () => of(doc).pipe(omit(['secret', 'items.secret'])).subscribe((value) => values.push(value)))
  const [omitted] = values as [{ id: number; items: unknown }]
  t.strictSame(Object.keys(omitted), ['id', 'items'])
  t.equal(depthOf(omitted.items), 10_001)
  t.strictSame(innermost(omitted.items), { sku: 'a' })
})
