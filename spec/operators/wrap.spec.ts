import t from 'tap'
import { of } from 'rxjs'
import { wrap } from '../../operators/wrap.js'
import { marbles } from './fixtures/marbles.js'

t.test('puts non-objects under "collection" by default, as KrakenD is_collection does', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const source = cold('abcde|', { a: [{ id: 1 }], b: 'text', c: 42, d: null, e: false })
    expectObservable(source.pipe(wrap())).toBe('abcde|', {
      a: { collection: [{ id: 1 }] },
      b: { collection: 'text' },
      c: { collection: 42 },
      d: { collection: null },
      e: { collection: false },
    })
  })
})

t.test('uses the key it is given', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    expectObservable(cold('a|', { a: [1, 2] }).pipe(wrap('posts'))).toBe('a|', { a: { posts: [1, 2] } })
  })
})

t.test('plain objects pass through unchanged, the very same object', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    expectObservable(cold('a|', { a: { id: 1 } }).pipe(wrap('posts'))).toBe('a|', { a: { id: 1 } })
  })
  const value = { id: 1 }
  let out: unknown
  of(value).pipe(wrap()).subscribe((v) => (out = v))
  t.equal(out, value)
  const empty = {}
  of(empty).pipe(wrap()).subscribe((v) => (out = v))
  t.equal(out, empty)
})

t.test('source errors pass through untouched', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const error = new Error('boom')
    expectObservable(cold('a#', { a: [1] }, error).pipe(wrap())).toBe('a#', { a: { collection: [1] } }, error)
  })
})

t.test('rejects an empty or non-string key when it is created', async (t) => {
  t.throws(() => wrap(''), { code: 'RXGATE_ERR_BAD_ARGUMENT', message: /wrap\(\)/ })
  t.throws(() => wrap(null as never), { code: 'RXGATE_ERR_BAD_ARGUMENT' })
  t.doesNotThrow(() => wrap(undefined))
})
