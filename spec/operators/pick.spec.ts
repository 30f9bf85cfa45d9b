import t from 'tap'
import { of } from 'rxjs'
import * as fields from '../../operators/fields.js'
import { pick } from '../../operators/pick.js'
import { DEEP_STACK, depthOf, innermost, nestedArrays, underDeepStack } from '../helpers/deep.js'
import { marbles } from './fixtures/marbles.js'

t.test('keeps only the listed fields, nested by dot paths', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const user = { id: 1, name: 'Ada', address: { city: 'London', zip: 'N1', geo: { lat: 1, lng: 2 } }, password: 'x' }
    const source = cold('-a-b|', { a: user, b: { id: 2, name: 'Bob' } })
    expectObservable(source.pipe(pick(['name', 'address.city', 'address.geo.lat']))).toBe('-a-b|', {
      a: { name: 'Ada', address: { city: 'London', geo: { lat: 1 } } },
      b: { name: 'Bob' },
    })
  })
})

t.test('a missing field is simply absent', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const source = cold('a|', { a: { id: 1, address: 'not an object' } })
    expectObservable(source.pipe(pick(['name', 'address.city', 'id']))).toBe('a|', { a: { id: 1 } })
  })
})

t.test('walks through arrays of objects', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const order = { id: 9, items: [{ sku: 'a', price: 1, stock: 5 }, { sku: 'b', price: 2 }] }
    const source = cold('a-b|', { a: order, b: [{ id: 1, x: 1 }, { id: 2, x: 2 }] })
    expectObservable(source.pipe(pick(['items.sku', 'id']))).toBe('a-b|', {
      a: { id: 9, items: [{ sku: 'a' }, { sku: 'b' }] },
      b: [{ id: 1 }, { id: 2 }],
    })
  })
})

t.test('a listed array of primitives is kept whole', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const source = cold('a|', { a: { tags: ['x', 'y'], other: 1 } })
    expectObservable(source.pipe(pick(['tags']))).toBe('a|', { a: { tags: ['x', 'y'] } })
  })
})

t.test('values that are not objects or arrays pass through unchanged', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const source = cold('abcd|', { a: 'text', b: 42, c: null, d: true })
    expectObservable(source.pipe(pick(['id']))).toBe('abcd|', { a: 'text', b: 42, c: null, d: true })
  })
})

t.test('a shorter path wins over a longer one it prefixes, whatever their order', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const source = cold('a|', { a: { a: { b: 1, c: 2 }, b: 3 } })
    expectObservable(source.pipe(pick(['a', 'a.b']))).toBe('a|', { a: { a: { b: 1, c: 2 } } })
    expectObservable(source.pipe(pick(['a.b', 'a']))).toBe('a|', { a: { a: { b: 1, c: 2 } } })
  })
})

t.test('source errors pass through untouched', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const error = new Error('boom')
    expectObservable(cold('a#', { a: { id: 1, x: 2 } }, error).pipe(pick(['id']))).toBe('a#', { a: { id: 1 } }, error)
  })
})

t.test('does not modify its input', async (t) => {
  const input = { id: 1, nested: { a: 1, b: 2 } }
  of(input).pipe(pick(['nested.a'])).subscribe()
  t.strictSame(input, { id: 1, nested: { a: 1, b: 2 } })
})

t.test('inherited keys are never picked, and "__proto__" stays a plain field', async (t) => {
  let out: unknown
  of({ id: 1 }).pipe(pick(['constructor', 'toString', 'id'])).subscribe((v) => (out = v))
  t.strictSame(out, { id: 1 })
  const hostile: unknown = JSON.parse('{"__proto__": {"admin": true}, "id": 1}')
  of(hostile).pipe(pick(['__proto__', 'id'])).subscribe((v) => (out = v))
  const picked = out as Record<string, unknown>
  t.equal(Object.getPrototypeOf(picked), Object.prototype)
  t.equal(picked.admin, undefined)
  t.equal(JSON.stringify(picked), '{"__proto__":{"admin":true},"id":1}')
})

t.test('rejects bad paths when it is created', async (t) => {
  const bad = { code: 'RXGATE_ERR_BAD_ARGUMENT' }
  t.throws(() => pick(['']), { ...bad, message: /non-empty/ })
  t.throws(() => pick(['a..b']), { ...bad, message: /"a\.\.b" has an empty segment/ })
  t.throws(() => pick(['.a']), bad)
  t.throws(() => pick(['a.']), bad)
  t.throws(() => pick([7] as never), bad)
  t.throws(() => pick('name' as never), { ...bad, message: /list of dot paths/ })
  t.throws(() => pick([]), { ...bad, message: /empty/ })
})

t.test('compiles its field tree once, when it is created, not per value', async (t) => {
  let compiled = 0
  const { pick: counted } = await t.mockImport<typeof import('../../operators/pick.js')>('../../operators/pick.js', {
    '../../operators/fields.js': {
      ...fields,
      fieldTree: (paths: readonly string[]) => {
        compiled++
        return fields.fieldTree(paths)
      },
    },
  })
  const operator = counted(['id'])
  t.equal(compiled, 1)
  const seen: unknown[] = []
  of({ id: 1, x: 1 }, { id: 2, x: 2 }, { id: 3 }).pipe(operator).subscribe((v) => seen.push(v))
  of({ id: 4, x: 4 }).pipe(operator).subscribe((v) => seen.push(v))
  t.strictSame(seen, [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }])
  t.equal(compiled, 1)
})

t.test('10,000-deep data from a backend, picked deep inside an RxJS stack', async (t) => {
  const doc = { id: 1, items: nestedArrays(10_000, { sku: 'a', price: 2, stock: 5 }), noise: 'x' }
  const values: unknown[] = []
  underDeepStack(DEEP_STACK, () => of(doc).pipe(pick(['id', 'items.sku', 'items.price'])).subscribe((value) => values.push(value)))
  const [picked] = values as [{ id: number; items: unknown }]
  t.equal(picked.id, 1)
  t.equal(depthOf(picked.items), 10_001)
  t.strictSame(innermost(picked.items), { sku: 'a', price: 2 })
  t.notOk('noise' in picked)
})
