import t from 'tap'
import { of } from 'rxjs'
import { group } from '../../operators/group.js'
import { marbles } from './fixtures/marbles.js'

t.test('puts every value under the key', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const source = cold('a-b-c-d|', { a: { id: 7 }, b: [1, 2], c: 'text', d: null })
    expectObservable(source.pipe(group('cart'))).toBe('a-b-c-d|', {
      a: { cart: { id: 7 } },
      b: { cart: [1, 2] },
      c: { cart: 'text' },
      d: { cart: null },
    })
  })
})

t.test('keeps the value itself, not a copy, and takes the key literally', async (t) => {
  const value = { id: 1 }
  let out: Record<string, unknown> | undefined
  of(value).pipe(group('last.post')).subscribe((v) => (out = v))
  t.equal(out?.['last.post'], value)
  t.strictSame(Object.keys(out!), ['last.post'])
})

t.test('"__proto__" as a key makes a field, not a prototype', async (t) => {
  let out: Record<string, unknown> | undefined
  of({ admin: true }).pipe(group('__proto__')).subscribe((v) => (out = v))
  t.equal(Object.getPrototypeOf(out), Object.prototype)
  t.equal(out?.admin, undefined)
  t.equal(JSON.stringify(out), '{"__proto__":{"admin":true}}')
})

t.test('source errors pass through untouched', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const error = new Error('boom')
    expectObservable(cold('a#', { a: 1 }, error).pipe(group('g'))).toBe('a#', { a: { g: 1 } }, error)
  })
})

t.test('rejects an empty or non-string key when it is created', async (t) => {
  t.throws(() => group(''), { code: 'RXGATE_ERR_BAD_ARGUMENT', message: /group\(\): the key must be a non-empty string, got ""/ })
  t.throws(() => group(undefined as never), { code: 'RXGATE_ERR_BAD_ARGUMENT' })
  t.throws(() => group(3 as never), { code: 'RXGATE_ERR_BAD_ARGUMENT' })
})
