import t from 'tap'
import { of } from 'rxjs'
import { target } from '../../operators/target.js'
import { marbles } from './fixtures/marbles.js'

function targetNow(path: string, value: unknown): unknown {
  let out: unknown
  of(value).pipe(target(path)).subscribe((v) => (out = v))
  return out
}

t.test('keeps only the object at the path', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const response = { apiVersion: '2.0', data: { totalItems: 800, items: [] } }
    expectObservable(cold('a|', { a: response }).pipe(target('data'))).toBe('a|', { a: { totalItems: 800, items: [] } })
  })
})

t.test('follows dot paths', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const source = cold('a-b|', { a: { data: { user: { id: 1 } } }, b: { data: { user: { id: 2, name: 'Bob' } }, meta: 1 } })
    expectObservable(source.pipe(target('data.user'))).toBe('a-b|', { a: { id: 1 }, b: { id: 2, name: 'Bob' } })
  })
})

t.test('a missing path gives {}, as in KrakenD', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const source = cold('abc|', { a: {}, b: { data: {} }, c: { other: { user: 1 } } })
    expectObservable(source.pipe(target('data.user'))).toBe('abc|', { a: {}, b: {}, c: {} })
  })
})

t.test('a path through or to something that is not an object gives {}, as in KrakenD', async (t) => {
  t.strictSame(targetNow('data.user', { data: 'text' }), {})
  t.strictSame(targetNow('data.user', { data: [{ user: 1 }] }), {})
  t.strictSame(targetNow('data.user', { data: null }), {})
  t.strictSame(targetNow('data', { data: [1, 2] }), {})
  t.strictSame(targetNow('data', { data: 'text' }), {})
  t.strictSame(targetNow('data', { data: null }), {})
  t.strictSame(targetNow('data', [{ data: { a: 1 } }]), {})
  t.strictSame(targetNow('data', 'text'), {})
  t.strictSame(targetNow('data', null), {})
})

t.test('returns the object found, not a copy', async (t) => {
  const user = { id: 1 }
  t.equal(targetNow('data.user', { data: { user } }), user)
})

t.test('never reaches into the prototype', async (t) => {
  t.strictSame(targetNow('constructor', { id: 1 }), {})
  t.strictSame(targetNow('constructor.prototype', {}), {})
  t.strictSame(targetNow('__proto__', { id: 1 }), {})
  // An own "__proto__" key, as JSON.parse makes it, is ordinary data.
  t.strictSame(targetNow('__proto__', JSON.parse('{"__proto__": {"a": 1}}')), { a: 1 })
})

t.test('source errors pass through untouched', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const error = new Error('boom')
    expectObservable(cold('a#', { a: { data: { x: 1 } } }, error).pipe(target('data'))).toBe('a#', { a: { x: 1 } }, error)
  })
})

t.test('rejects a bad path when it is created', async (t) => {
  const bad = { code: 'RXGATE_ERR_BAD_ARGUMENT' }
  t.throws(() => target(''), { ...bad, message: /target\(\)/ })
  t.throws(() => target('data..user'), { ...bad, message: /empty segment/ })
  t.throws(() => target('data.'), bad)
  t.throws(() => target(['data'] as never), bad)
})
