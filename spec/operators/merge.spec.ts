import t from 'tap'
import { map, mergeMap, of, pipe, type Observable } from 'rxjs'
import { group } from '../../operators/group.js'
import { merge, type Merged } from '../../operators/merge.js'
import { pick } from '../../operators/pick.js'
import { timeoutEach } from '../../operators/timeout-each.js'
import { wrap } from '../../operators/wrap.js'
import { answer, ko, marbles, plainMerged, fanOutPaths } from './fixtures/marbles.js'

/** Runs a fan of synchronous sources through merge() and returns the one answer. */
function mergeNow(fanOut: (typeof fanOutPaths)[number]['fanOut'], ...answers: Observable<unknown>[]): Merged<unknown> {
  let merged: Merged<unknown> | undefined
  of('r').pipe(fanOut(answers.map(answer)), merge()).subscribe((m) => (merged = m))
  return merged!
}

// Every test runs on both of fanOut's paths, which must agree (see fanOutPaths).
for (const { path, fanOut } of fanOutPaths) {
  t.test(`${path} path`, async (t) => {
    t.test('merges in source order whatever the arrival order: a later source wins a shared key', async (t) => {
      marbles(t, ({ cold, expectObservable }) => {
        const first = cold('----a|', { a: { id: 1, name: 'Ada' } })
        const second = cold('-b|', { b: { id: 2, cart: [] } })
        const out = cold('r|').pipe(fanOut([answer(first), answer(second)]), merge(), map(plainMerged))
        // second arrived first; merged by arrival, `id` would be 1.
        expectObservable(out).toBe('-----(m|)', {
          m: { data: { id: 2, name: 'Ada', cart: [] }, complete: true, delivered: 2, errors: [] },
        })
      })
    })

    t.test('keys come out in source order too', async (t) => {
      marbles(t, ({ cold, expectObservable }) => {
        const first = cold('---a|', { a: { a: 1 } })
        const second = cold('-b|', { b: { b: 2 } })
        const out = cold('r|').pipe(fanOut([answer(first), answer(second)]), merge(), map((m) => Object.keys(m.data)))
        expectObservable(out).toBe('----(k|)', { k: ['a', 'b'] })
      })
    })

    t.test('a failed part makes the answer incomplete and is listed, the others are still merged', async (t) => {
      marbles(t, ({ cold, expectObservable }) => {
        const users = cold('-u|', { u: { name: 'Ada' } })
        const cart = cold('--#', undefined, new Error('503'))
        const posts = cold('---p|', { p: { posts: 3 } })
        const out = cold('r|').pipe(fanOut({ users: answer(users), cart: answer(cart), posts: answer(posts) }), merge(), map(plainMerged))
        expectObservable(out).toBe('----(m|)', {
          m: { data: { name: 'Ada', posts: 3 }, complete: false, delivered: 2, errors: [ko('cart', 1, '503')] },
        })
      })
    })

    t.test('lists the errors in source order', async (t) => {
      marbles(t, ({ cold, expectObservable }) => {
        const a = cold('---#', undefined, new Error('a down'))
        const b = cold('-#', undefined, new Error('b down'))
        const out = cold('r|').pipe(fanOut([answer(a), answer(b)]), merge(), map(plainMerged))
        expectObservable(out).toBe('---(m|)', {
          m: { data: {}, complete: false, delivered: 0, errors: [ko('0', 0, 'a down'), ko('1', 1, 'b down')] },
        })
      })
    })

    t.test('a lone source may deliver any value, which becomes the data as it is', async (t) => {
      marbles(t, ({ cold, expectObservable }) => {
        const list = cold('-l|', { l: [{ id: 1 }, { id: 2 }] })
        const out = cold('r|').pipe(fanOut([answer(list)]), merge(), map(plainMerged))
        expectObservable(out).toBe('--(m|)', { m: { data: [{ id: 1 }, { id: 2 }], complete: true, delivered: 1, errors: [] } })
      })
      t.strictSame(plainMerged(mergeNow(fanOut, of('hello'))), { data: 'hello', complete: true, delivered: 1, errors: [] })
      t.strictSame(plainMerged(mergeNow(fanOut, of(null))), { data: null, complete: true, delivered: 1, errors: [] })
    })

    t.test('with several sources a non-object cannot be merged: that part counts as failed', async (t) => {
      marbles(t, ({ cold, expectObservable }) => {
        const user = cold('-u|', { u: { name: 'Ada' } })
        const list = cold('-l|', { l: [1, 2] })
        const out = cold('r|').pipe(fanOut({ user: answer(user), list: answer(list) }), merge(), map(plainMerged))
        expectObservable(out).toBe('--(m|)', {
          m: { data: { name: 'Ada' }, complete: false, delivered: 1, errors: [ko('list', 1, 'RXGATE_ERR_NOT_AN_OBJECT')] },
        })
      })
      const merged = mergeNow(fanOut, of('text'), of({ a: 1 }))
      t.match(merged.errors[0]?.error, { code: 'RXGATE_ERR_NOT_AN_OBJECT', message: /"0".*wrap/, details: { source: '0' } })
    })

    t.test('a source with several parts: they are merged in the order they came', async (t) => {
      marbles(t, ({ cold, expectObservable }) => {
        const pages = cold('-a-b|', { a: { page: 1, first: true }, b: { page: 2 } })
        const out = cold('r|').pipe(fanOut([answer(pages)]), merge(), map(plainMerged))
        expectObservable(out).toBe('----(m|)', { m: { data: { page: 2, first: true }, complete: true, delivered: 2, errors: [] } })
      })
    })

    t.test('one answer per request, each from its own parts', async (t) => {
      marbles(t, ({ cold, expectObservable }) => {
        const user = mergeMap((id: number) => cold('--u|', { u: { id } }))
        const cart = mergeMap((id: number) => cold('-c|', { c: { items: id * 10 } }))
        const out = cold('a-b--|', { a: 1, b: 2 }).pipe(fanOut<number, object>([user, cart]), merge(), map(plainMerged))
        expectObservable(out).toBe('---x-(y|)', {
          x: { data: { id: 1, items: 10 }, complete: true, delivered: 2, errors: [] },
          y: { data: { id: 2, items: 20 }, complete: true, delivered: 2, errors: [] },
        })
      })
    })

    t.test('unsubscribing cancels the sources of a pending answer', async (t) => {
      marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
        const slow = cold('------s|', { s: { a: 1 } })
        const out = cold('r|').pipe(fanOut([answer(slow)]), merge())
        expectObservable(out, '^--!').toBe('---')
        expectSubscriptions(slow.subscriptions).toBe('^--!')
      })
    })

    t.test('does not modify the parts it merges', async (t) => {
      const first = { a: 1, shared: 'first' }
      const second = { b: 2, shared: 'second' }
      const merged = mergeNow(fanOut, of(first), of(second))
      t.strictSame(merged.data, { a: 1, shared: 'second', b: 2 })
      t.strictSame(first, { a: 1, shared: 'first' })
      t.strictSame(second, { b: 2, shared: 'second' })
      t.not(merged.data, first)
    })

    t.test('a "__proto__" key from JSON stays a field and never becomes the prototype', async (t) => {
      const hostile: unknown = JSON.parse('{"__proto__": {"admin": true}, "name": "Mallory"}')
      const merged = mergeNow(fanOut, of(hostile), of({ id: 1 }))
      const data = merged.data as Record<string, unknown>
      t.equal(Object.getPrototypeOf(data), Object.prototype)
      t.equal(data.admin, undefined)
      t.ok(Object.hasOwn(data, '__proto__'))
      t.equal(JSON.stringify(data), '{"__proto__":{"admin":true},"name":"Mallory","id":1}')
    })

    t.test('no sources at all: an empty, complete answer', async (t) => {
      t.strictSame(plainMerged(mergeNow(fanOut)), { data: {}, complete: true, delivered: 0, errors: [] })
    })

    t.test('end to end: fanOut → timeoutEach → merge, with reshaping per source', async (t) => {
      marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
        const users = cold('--u|', { u: { name: 'Ada', email: 'ada@example.com', password: 'x' } })
        const cart = cold('----c|', { c: { items: 2, id: 'c1' } })
        const posts = cold('-p|', { p: [{ id: 1 }, { id: 2 }] })
        const stats = cold('------------s|', { s: { visits: 9 } })
        const frontpage = (req$: Observable<string>) =>
          req$.pipe(
            fanOut({
              users: pipe(answer(users), pick(['name', 'email'])),
              cart: pipe(answer(cart), group('cart')),
              posts: pipe(answer(posts), wrap('posts')),
              stats: answer(stats),
            }),
            timeoutEach('8ms'),
            merge(),
          )
        expectObservable(frontpage(cold('a---b|')).pipe(map(plainMerged))).toBe('--------x---(y|)', {
          x: {
            data: { name: 'Ada', email: 'ada@example.com', cart: { items: 2, id: 'c1' }, posts: [{ id: 1 }, { id: 2 }] },
            complete: false,
            delivered: 3,
            errors: [ko('stats', 3, 'RXGATE_ERR_TIMEOUT')],
          },
          y: {
            data: { name: 'Ada', email: 'ada@example.com', cart: { items: 2, id: 'c1' }, posts: [{ id: 1 }, { id: 2 }] },
            complete: false,
            delivered: 3,
            errors: [ko('stats', 3, 'RXGATE_ERR_TIMEOUT')],
          },
        })
        expectSubscriptions(stats.subscriptions).toBe(['^-------!', '----^-------!'])
        expectSubscriptions(users.subscriptions).toBe(['^--!', '----^--!'])
      })
    })

    t.test('end to end: every source on time gives a complete answer as soon as the last one arrives', async (t) => {
      marbles(t, ({ cold, expectObservable }) => {
        const users = cold('--u|', { u: { name: 'Ada' } })
        const cart = cold('---c|', { c: { items: 2 } })
        const out = cold('r|').pipe(fanOut([answer(users), pipe(answer(cart), group('cart'))]), timeoutEach(800), merge(), map(plainMerged))
        expectObservable(out).toBe('----(m|)', {
          m: { data: { name: 'Ada', cart: { items: 2 } }, complete: true, delivered: 2, errors: [] },
        })
      })
    })
  })
}
