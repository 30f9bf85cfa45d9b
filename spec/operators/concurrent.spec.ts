import t from 'tap'
import { map, mergeAll, mergeMap, of, type Observable } from 'rxjs'
import { concurrent } from '../../operators/concurrent.js'
import { fanOut } from '../../operators/fan-out.js'
import { merge } from '../../operators/merge.js'
import { answer, ko, marbles, ok, plain, plainMerged } from './fixtures/marbles.js'

/** A source whose copies answer in turn with the given observables: copy 0 the first, and so on. */
function copies(...answers: Observable<unknown>[]) {
  let call = 0
  return mergeMap(() => answers[call++ % answers.length]!)
}

t.test('calls the source n times at once; the first value wins and the others are cancelled then', async (t) => {
  marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
    const slow = cold('-----a|', { a: 'slow' })
    const fast = cold('--b|', { b: 'fast' })
    const slower = cold('-------c|', { c: 'slower' })
    const out = cold('r|').pipe(concurrent(3, copies(slow, fast, slower)))
    expectObservable(out).toBe('--b|', { b: 'fast' })
    expectSubscriptions(slow.subscriptions).toBe('^-!')
    expectSubscriptions(fast.subscriptions).toBe('^--!')
    expectSubscriptions(slower.subscriptions).toBe('^-!')
  })
})

t.test('every copy gets the request', async (t) => {
  const seen: unknown[] = []
  marbles(t, ({ cold, expectObservable }) => {
    const source = mergeMap((id: number) => {
      seen.push(id)
      return cold('-x|', { x: id * 2 })
    })
    expectObservable(cold('(a|)', { a: 21 }).pipe(concurrent(2, source))).toBe('-x|', { x: 42 })
  })
  t.strictSame(seen, [21, 21])
})

t.test('failures before the winner are ignored', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const broken = cold('-#', undefined, new Error('reset'))
    const empty = cold('--|')
    const good = cold('----g|', { g: 'ok' })
    expectObservable(cold('r|').pipe(concurrent(3, copies(broken, empty, good)))).toBe('----g|', { g: 'ok' })
  })
})

t.test('fails only when every copy fails, with the last error', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const first = cold('---#', undefined, new Error('first'))
    const last = cold('-----#', undefined, new Error('last'))
    const middle = cold('-#', undefined, new Error('middle'))
    expectObservable(cold('r|').pipe(concurrent(3, copies(first, last, middle)))).toBe('-----#', undefined, new Error('last'))
  })
})

t.test('an empty copy is out of the race; all empty completes empty, an error among them wins', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const empty = cold('-|')
    expectObservable(cold('r|').pipe(concurrent(2, copies(empty, empty)))).toBe('-|')
    const broken = cold('--#', undefined, new Error('refused'))
    expectObservable(cold('r|').pipe(concurrent(3, copies(broken, empty, cold('---|'))))).toBe('---#', undefined, new Error('refused'))
  })
})

t.test('the winner is followed to its end: later values, and an error after them', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const chatty = cold('-a-b-#', { a: 1, b: 2 }, new Error('cut'))
    const other = cold('--x|', { x: 9 })
    expectObservable(cold('r|').pipe(concurrent(2, copies(chatty, other)))).toBe('-a-b-#', { a: 1, b: 2 }, new Error('cut'))
  })
})

t.test('a source that throws when called counts as a failed copy', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    let call = 0
    const flaky = (request$: Observable<unknown>) => {
      if (call++ === 0) throw new Error('not wired')
      return request$.pipe(mergeMap(() => cold('--x|', { x: 'fine' })))
    }
    expectObservable(cold('r|').pipe(concurrent(2, flaky))).toBe('--x|', { x: 'fine' })
    const broken = () => {
      throw new Error('never wired')
    }
    expectObservable(cold('r|').pipe(concurrent(2, broken))).toBe('#', undefined, new Error('never wired'))
  })
})

t.test('a copy that answers at once wins before the others are even called', async (t) => {
  let calls = 0
  const source = mergeMap(() => {
    calls++
    return of('now')
  })
  const values: unknown[] = []
  of('r')
    .pipe(concurrent(3, source))
    .subscribe((value) => values.push(value))
  t.strictSame(values, ['now'])
  t.equal(calls, 1)
})

t.test('unsubscribing cancels every copy', async (t) => {
  marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
    const slow = cold('------s|')
    expectObservable(cold('r|').pipe(concurrent(3, answer(slow))), '^--!').toBe('---')
    expectSubscriptions(slow.subscriptions).toBe(['^--!', '^--!', '^--!'])
  })
})

t.test('each request races on its own', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const source = mergeMap((id: string) => cold('--x|', { x: id }))
    expectObservable(cold('a-b|').pipe(concurrent(2, source))).toBe('--a-b|', { a: 'a', b: 'b' })
  })
})

t.test('as a source of fanOut: the race is one part; when all copies fail, one failed part', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const good = cold('--g|', { g: { id: 1 } })
    const bad = cold('-#', undefined, new Error('down'))
    const out = cold('r|').pipe(fanOut({ users: concurrent(2, copies(bad, good)), cart: concurrent(2, answer(bad)) }), mergeAll(), map(plain))
    expectObservable(out).toBe('-cu|', { u: ok('users', 0, { id: 1 }), c: ko('cart', 1, 'down') })
    const merged = cold('r|').pipe(fanOut([concurrent(3, copies(bad, bad, good))]), merge(), map(plainMerged))
    expectObservable(merged).toBe('---(m|)', { m: { data: { id: 1 }, complete: true, delivered: 1, errors: [] } })
  })
})

t.test('one call is the source itself', async (t) => {
  const source = map((n: number) => n + 1)
  t.equal(concurrent(1, source), source)
})

t.test('rejects a bad count or source when it is created', async (t) => {
  for (const n of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '3']) {
    t.throws(() => concurrent(n as never, map((x) => x)), { code: 'RXGATE_ERR_BAD_ARGUMENT', message: /whole number/ }, String(n))
  }
  t.throws(() => concurrent(2, of(1) as never), { code: 'RXGATE_ERR_BAD_ARGUMENT', message: /not an operator/ })
})
