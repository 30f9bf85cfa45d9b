import t from 'tap'
import { map, mergeAll, mergeMap, of, type Observable } from 'rxjs'
import { RxgateError } from '../../lib/errors.js'
import { merge } from '../../operators/merge.js'
import type { Fan, Part } from '../../operators/part.js'
import { sequence } from '../../operators/sequence.js'
import { answer, ko, marbles, ok, plain, plainMerged } from './fixtures/marbles.js'

/** `next` for sources that ignore their request. */
const same = <R>(request: R) => request

t.test('calls the sources one after another, each once the one before has finished', async (t) => {
  marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
    const a = cold('--a|', { a: { a: 1 } })
    const b = cold('-b|', { b: { b: 2 } })
    const c = cold('c|', { c: { c: 3 } })
    const out = cold('r|').pipe(sequence([answer(a), answer(b), answer(c)], same), mergeAll(), map(plain))
    expectObservable(out).toBe('--a-bc|', { a: ok('0', 0, { a: 1 }), b: ok('1', 1, { b: 2 }), c: ok('2', 2, { c: 3 }) })
    expectSubscriptions(a.subscriptions).toBe('^--!')
    expectSubscriptions(b.subscriptions).toBe('---^-!')
    expectSubscriptions(c.subscriptions).toBe('-----^!')
  })
})

t.test('the first source gets the request; next builds the others from it and the results so far', async (t) => {
  const calls: unknown[] = []
  type Request = { id: number; destination?: number }
  marbles(t, ({ cold, expectObservable }) => {
    const hotels = mergeMap((req: Request) => cold('-h|', { h: { hotel_id: req.id, destination_id: 1034 } }))
    const destinations = mergeMap((req: Request) => cold('-d|', { d: { destinations: ['LAX'], asked: req.destination } }))
    const next = (req: Request, previous: readonly Record<string, unknown>[]) => {
      calls.push({ req, previous })
      return { ...req, destination: previous[0]!.destination_id as number }
    }
    const chain = sequence<Request, Record<string, unknown>>([hotels, destinations], next)
    const out = cold('r|', { r: { id: 25 } }).pipe(chain, merge(), map(plainMerged))
    expectObservable(out).toBe('----(m|)', {
      m: { data: { hotel_id: 25, destination_id: 1034, destinations: ['LAX'], asked: 1034 }, complete: true, delivered: 2, errors: [] },
    })
  })
  t.strictSame(calls, [{ req: { id: 25 }, previous: [{ hotel_id: 25, destination_id: 1034 }] }])
})

t.test('previous holds the last value each earlier source delivered', async (t) => {
  const seen: unknown[] = []
  of('r')
    .pipe(
      sequence([answer(of(1, 2)), answer(of(3)), answer(of(4))], (request, previous) => {
        seen.push([...previous])
        return request
      }),
      mergeAll(),
    )
    .subscribe()
  t.strictSame(seen, [[2], [2, 3]])
})

t.test('stops at the first failure: the sources after it are skipped, never called', async (t) => {
  marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
    const a = cold('-a|', { a: { a: 1 } })
    const b = cold('--#', undefined, new Error('503'))
    const c = cold('-c|', { c: { c: 3 } })
    const out = cold('r|').pipe(sequence({ a: answer(a), b: answer(b), c: answer(c) }, same), mergeAll(), map(plain))
    expectObservable(out).toBe('-a--(bc|)', { a: ok('a', 0, { a: 1 }), b: ko('b', 1, '503'), c: ko('c', 2, 'RXGATE_ERR_SKIPPED') })
    expectSubscriptions(c.subscriptions).toBe([])
  })
})

t.test('the skipped error names the source and the one that stopped the chain', async (t) => {
  const parts: Part[] = []
  of('r')
    .pipe(sequence({ users: answer(of()), cart: answer(of(1)) }, same), mergeAll())
    .subscribe((part) => parts.push(part))
  const [users, cart] = parts
  t.match(users, { ok: false, error: { code: 'RXGATE_ERR_EMPTY' } })
  t.type(cart && !cart.ok && cart.error, RxgateError)
  t.match(cart, { ok: false, error: { code: 'RXGATE_ERR_SKIPPED', message: /"cart".*"users"/, details: { source: 'cart', after: 'users' } } })
})

t.test('keeps what a source delivered before it errored, then stops', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const flaky = cold('-a-#', { a: { a: 1 } }, new Error('reset'))
    const out = cold('r|').pipe(sequence([answer(flaky), answer(cold('-b|'))], same), mergeAll(), map(plain))
    expectObservable(out).toBe('-a-(es|)', { a: ok('0', 0, { a: 1 }), e: ko('0', 0, 'reset'), s: ko('1', 1, 'RXGATE_ERR_SKIPPED') })
  })
})

t.test('next throwing fails the source it builds the request for', async (t) => {
  marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
    const b = cold('-b|')
    const next = () => {
      throw new Error('no destination_id')
    }
    const out = cold('r|').pipe(sequence([answer(cold('-a|', { a: { a: 1 } })), answer(b), answer(b)], next), mergeAll(), map(plain))
    expectObservable(out).toBe('-a(bc|)', { a: ok('0', 0, { a: 1 }), b: ko('1', 1, 'no destination_id'), c: ko('2', 2, 'RXGATE_ERR_SKIPPED') })
    expectSubscriptions(b.subscriptions).toBe([])
  })
})

t.test('a source that throws when called fails, and the chain stops', async (t) => {
  const broken = () => {
    throw new Error('not wired')
  }
  const parts: object[] = []
  of('r')
    .pipe(sequence([broken, answer(of(1))], same), mergeAll(), map(plain))
    .subscribe((part) => parts.push(part))
  t.strictSame(parts, [ko('0', 0, 'not wired'), ko('1', 1, 'RXGATE_ERR_SKIPPED')])
})

t.test('the deadline covers the whole chain: earlier parts kept, the running one times out, the rest skipped', async (t) => {
  marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
    const a = cold('--a|', { a: { a: 1 } })
    const b = cold('----b|', { b: { b: 2 } })
    const c = cold('c|', { c: { c: 3 } })
    const out = cold('r|').pipe(sequence([answer(a), answer(b), answer(c)], same, { timeout: 6 }), mergeAll(), map(plain))
    // Each alone is well within 6, but a then b would take 3 + 5.
    expectObservable(out).toBe('--a---(tc|)', { a: ok('0', 0, { a: 1 }), t: ko('1', 1, 'RXGATE_ERR_TIMEOUT'), c: ko('2', 2, 'RXGATE_ERR_SKIPPED') })
    expectSubscriptions(b.subscriptions).toBe('---^--!')
    expectSubscriptions(c.subscriptions).toBe([])
  })
})

t.test('a chain that ends before the deadline is not held until it, and a source ending on it is late', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const a = cold('-a|', { a: { a: 1 } })
    const fast = cold('r|').pipe(sequence([answer(a), answer(a)], same, { timeout: '1s' }), merge(), map(plainMerged))
    expectObservable(fast).toBe('----(m|)', { m: { data: { a: 1 }, complete: true, delivered: 2, errors: [] } })
    const edge = cold('r|').pipe(sequence([answer(a), answer(a)], same, { timeout: 4 }), mergeAll(), map(plain))
    // The second source would complete at frame 4, the deadline's frame: its value is kept, it is late.
    expectObservable(edge).toBe('-a-b(t|)', { a: ok('0', 0, { a: 1 }), b: ok('1', 1, { a: 1 }), t: ko('1', 1, 'RXGATE_ERR_TIMEOUT') })
  })
})

t.test('the timeout error names the source and the deadline', async (t) => {
  let error: unknown
  marbles(t, ({ cold, flush }) => {
    cold('r|')
      .pipe(sequence({ hotel: answer(cold('-')) }, same, { timeout: '2s' }), mergeAll())
      .subscribe((part) => {
        if (!part.ok) error = part.error
      })
    flush()
  })
  t.match(error, { code: 'RXGATE_ERR_TIMEOUT', message: /"hotel".*2000ms/, details: { source: 'hotel', timeout: 2000 } })
})

t.test('sequence then merge: one answer, incomplete when the chain broke', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const users = cold('-u|', { u: { name: 'Ada' } })
    const cart = cold('-#', undefined, new Error('503'))
    const posts = cold('-p|', { p: { posts: 3 } })
    const out = cold('r|').pipe(sequence({ users: answer(users), cart: answer(cart), posts: answer(posts) }, same), merge(), map(plainMerged))
    expectObservable(out).toBe('---(m|)', {
      m: {
        data: { name: 'Ada' },
        complete: false,
        delivered: 1,
        errors: [ko('cart', 1, '503'), ko('posts', 2, 'RXGATE_ERR_SKIPPED')],
      },
    })
    // The first source failing: nothing delivered, as KrakenD's sequential proxy fails then.
    const first = cold('r|').pipe(sequence([answer(cart), answer(users)], same), merge(), map(plainMerged))
    expectObservable(first).toBe('-(m|)', {
      m: { data: {}, complete: false, delivered: 0, errors: [ko('0', 0, '503'), ko('1', 1, 'RXGATE_ERR_SKIPPED')] },
    })
  })
})

t.test('unsubscribing cancels the source running and calls no more', async (t) => {
  marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
    const a = cold('-a|', { a: 1 })
    const b = cold('----b|')
    const c = cold('c|')
    const out = cold('r|').pipe(sequence([answer(a), answer(b), answer(c)], same, { timeout: 100 }), mergeAll(), map(plain))
    expectObservable(out, '^----!').toBe('-a---', { a: ok('0', 0, 1) })
    expectSubscriptions(b.subscriptions).toBe('--^--!')
    expectSubscriptions(c.subscriptions).toBe([])
  })
})

t.test('each request runs its own chain', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const echo = mergeMap((id: string) => cold('-x|', { x: id }))
    const out = cold('ab|').pipe(sequence([echo, echo], (request: string, [first]) => `${first}!`), mergeAll(), map(plain))
    expectObservable(out).toBe('-abcd|', { a: ok('0', 0, 'a'), b: ok('0', 0, 'b'), c: ok('1', 1, 'a!'), d: ok('1', 1, 'b!') })
  })
})

t.test('the fan tells the names in order; a branch alone runs the chain up to its source, showing its parts only', async (t) => {
  marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
    const a = cold('-a|', { a: 1 })
    const b = cold('-b|', { b: 2 })
    let fan: Fan | undefined
    of('r')
      .pipe(sequence({ first: answer(a), second: answer(b) }, same))
      .subscribe((f) => (fan = f))
    t.strictSame(fan!.names, ['first', 'second'])
    t.equal(fan!.branches, fan!.branches, 'built once')
    expectObservable(fan!.branches[1]!.pipe(map(plain))).toBe('---b|', { b: ok('second', 1, 2) })
    expectSubscriptions(a.subscriptions).toBe('^-!')
    expectSubscriptions(b.subscriptions).toBe('--^-!')
  })
})

t.test('a fan is cold: each subscription runs the chain again', async (t) => {
  marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
    const a = cold('-a|', { a: 1 })
    let fan: Observable<Part> | undefined
    of('r')
      .pipe(sequence([answer(a)], same))
      .subscribe((f) => (fan = f))
    expectObservable(fan!.pipe(map(plain))).toBe('-a|', { a: ok('0', 0, 1) })
    expectObservable(fan!.pipe(map(plain))).toBe('-a|', { a: ok('0', 0, 1) })
    expectSubscriptions(a.subscriptions).toBe(['^-!', '^-!'])
  })
})

t.test('no sources: the fan completes at once, empty, and merges to an empty complete answer', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    expectObservable(cold('r|').pipe(sequence([], same), mergeAll())).toBe('-|')
    expectObservable(cold('r|').pipe(sequence([], same, { timeout: 5 }), merge(), map(plainMerged))).toBe('m|', {
      m: { data: {}, complete: true, delivered: 0, errors: [] },
    })
  })
})

t.test('rejects bad sources, next or timeout when it is created', async (t) => {
  t.throws(() => sequence(null as never, same), { code: 'RXGATE_ERR_BAD_ARGUMENT', message: /list or a record/ })
  t.throws(() => sequence([of(1)] as never, same), { code: 'RXGATE_ERR_BAD_ARGUMENT', message: /source "0" is not an operator/ })
  t.throws(() => sequence({ hotel: 'http://h' } as never, same), { code: 'RXGATE_ERR_BAD_ARGUMENT', message: /source "hotel"/ })
  t.throws(() => sequence([map((x) => x)], undefined as never), { code: 'RXGATE_ERR_BAD_ARGUMENT', message: /next/ })
  t.throws(() => sequence([map((x) => x)], same, { timeout: 'later' }), { code: 'RXGATE_ERR_BAD_DURATION' })
})
