import t from 'tap'
import { asyncScheduler, map, mergeAll, mergeMap, of, pipe, throwError, type Observable } from 'rxjs'
import type { RunHelpers } from 'rxjs/testing'
import { RxgateError } from '../../lib/errors.js'
import { fanOut, type Source } from '../../operators/fan-out.js'
import { fan, type Fan } from '../../operators/part.js'
import { timeoutEach } from '../../operators/timeout-each.js'
import { merge } from '../../operators/merge.js'
import { answer, ko, marbles, ok, plain, plainMerged } from './fixtures/marbles.js'

t.test('subscribes every source at once: the last part comes after the slowest, not after the sum', async (t) => {
  marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
    const a = cold('---a|', { a: 1 })
    const b = cold('-----b|', { b: 2 })
    const out = cold('r|').pipe(fanOut([answer(a), answer(b)]), mergeAll(), map(plain))
    // In sequence, b would arrive at frame 4 + 5 = 9.
    expectObservable(out).toBe('---x-y|', { x: ok('0', 0, 1), y: ok('1', 1, 2) })
    expectSubscriptions(a.subscriptions).toBe('^---!')
    expectSubscriptions(b.subscriptions).toBe('^-----!')
  })
})

t.test('names parts by position for a list and by key for a record, and tells the names in order', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const user = cold('--u|', { u: { id: 1 } })
    const cart = cold('-c|', { c: { items: 2 } })
    const named = cold('r|').pipe(fanOut({ user: answer(user), cart: answer(cart) }))
    expectObservable(named.pipe(mergeAll(), map(plain))).toBe('-cu|', {
      c: ok('cart', 1, { items: 2 }),
      u: ok('user', 0, { id: 1 }),
    })
    expectObservable(named.pipe(map((fan) => fan.names))).toBe('r|', { r: ['user', 'cart'] })
    const listed = cold('r|').pipe(fanOut([answer(user), answer(cart), answer(cart)]))
    expectObservable(listed.pipe(map((fan) => fan.names))).toBe('r|', { r: ['0', '1', '2'] })
  })
})

t.test('passes the request to every source', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const double = map((n: number) => n * 2)
    const square = map((n: number) => n * n)
    const out = cold('(a|)', { a: 3 }).pipe(fanOut([double, square]), mergeAll(), map(plain))
    expectObservable(out).toBe('(xy|)', { x: ok('0', 0, 6), y: ok('1', 1, 9) })
  })
})

t.test('a source that errors becomes a failed part with its error, the others are unaffected', async (t) => {
  marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
    const good = cold('----g|', { g: { ok: 1 } })
    const bad = cold('-#', undefined, new Error('boom'))
    const out = cold('r|').pipe(fanOut({ bad: answer(bad), good: answer(good) }), mergeAll(), map(plain))
    expectObservable(out).toBe('-b--g|', { b: ko('bad', 0, 'boom'), g: ok('good', 1, { ok: 1 }) })
    expectSubscriptions(good.subscriptions).toBe('^----!')
  })
})

t.test('keeps what a source delivered before it errored', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const flaky = cold('-a-#', { a: 1 }, new Error('reset'))
    const out = cold('r|').pipe(fanOut([answer(flaky)]), mergeAll(), map(plain))
    expectObservable(out).toBe('-a-(e|)', { a: ok('0', 0, 1), e: ko('0', 0, 'reset') })
  })
})

t.test('a source that throws when it is called becomes a failed part too', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const broken = () => {
      throw new Error('not wired')
    }
    const out = cold('(r|)').pipe(fanOut([broken, answer(of('fine'))]), mergeAll(), map(plain))
    expectObservable(out).toBe('(ef|)', { e: ko('0', 0, 'not wired'), f: ok('1', 1, 'fine') })
  })
})

t.test('a source that completes empty becomes a failed part with RXGATE_ERR_EMPTY', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const empty = cold('---|')
    const full = cold('-f|', { f: 1 })
    const out = cold('r|').pipe(fanOut({ empty: answer(empty), full: answer(full) }), mergeAll(), map(plain))
    expectObservable(out).toBe('-f-(e|)', { e: ko('empty', 0, 'RXGATE_ERR_EMPTY'), f: ok('full', 1, 1) })
  })
  let error: unknown
  of('r').pipe(fanOut({ nothing: answer(of()) }), mergeAll()).subscribe((part) => {
    if (!part.ok) error = part.error
  })
  t.type(error, RxgateError)
  t.match(error, { code: 'RXGATE_ERR_EMPTY', message: /"nothing"/, details: { source: 'nothing' } })
})

t.test('unsubscribing the outer stream tears down every source still running', async (t) => {
  marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
    const a = cold('-a|', { a: 1 })
    const b = cold('------b|', { b: 2 })
    const c = cold('--------c|', { c: 3 })
    const out = cold('r|').pipe(fanOut([answer(a), answer(b), answer(c)]), mergeAll(), map(plain))
    expectObservable(out, '^---!').toBe('-a--', { a: ok('0', 0, 1) })
    expectSubscriptions(a.subscriptions).toBe('^-!')
    expectSubscriptions(b.subscriptions).toBe('^---!')
    expectSubscriptions(c.subscriptions).toBe('^---!')
  })
})

t.test('each request gets its own fan, with its own subscriptions', async (t) => {
  marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
    const user = cold('--u|', { u: { name: 'Ada' } })
    const source = mergeMap((id: number) => user.pipe(map((u) => ({ ...u, id }))))
    const out = cold('a--b|', { a: 1, b: 2 }).pipe(fanOut([source]), mergeAll(), map(plain))
    expectObservable(out).toBe('--x--y|', {
      x: ok('0', 0, { name: 'Ada', id: 1 }),
      y: ok('0', 0, { name: 'Ada', id: 2 }),
    })
    expectSubscriptions(user.subscriptions).toBe(['^--!', '---^--!'])
  })
})

t.test('overlapping requests do not wait for each other', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const slow = mergeMap((id: string) => cold('----x|', { x: id }))
    const out = cold('ab|').pipe(fanOut([slow]), mergeAll(), map(plain))
    expectObservable(out).toBe('----ab|', { a: ok('0', 0, 'a'), b: ok('0', 0, 'b') })
  })
})

t.test('a fan is cold: each subscription calls the sources again', async (t) => {
  marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
    const a = cold('-a|', { a: 1 })
    let fan: Fan | undefined
    of('r').pipe(fanOut([answer(a)])).subscribe((f) => (fan = f))
    expectObservable(fan!.pipe(map(plain))).toBe('-a|', { a: ok('0', 0, 1) })
    expectObservable(fan!.branches[0]!.pipe(map(plain))).toBe('-a|', { a: ok('0', 0, 1) })
    expectSubscriptions(a.subscriptions).toBe(['^-!', '^-!'])
  })
})

t.test('no sources: the fan completes at once, empty', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    expectObservable(cold('r|').pipe(fanOut([]), mergeAll())).toBe('-|')
  })
})

t.test('rejects sources that are not operators when it is created', async (t) => {
  t.throws(() => fanOut([of(1)] as never), { code: 'RXGATE_ERR_BAD_ARGUMENT', message: /source "0" is not an operator/ })
  t.throws(() => fanOut({ user: 'http://users' } as never), { code: 'RXGATE_ERR_BAD_ARGUMENT', message: /source "user"/ })
  t.throws(() => fanOut(null as never), { code: 'RXGATE_ERR_BAD_ARGUMENT' })
  t.doesNotThrow(() => fanOut({ error: () => throwError(() => new Error('x')) }))
})

// A fan from `fanOut` runs its sources straight into its subscriber; a fan built with `fan()`
// from branches, or its `branches` taken one by one, goes through an observable per source. The
// two paths must agree, frame by frame, deadline included.
t.test('the fan subscribed whole and the same fan rebuilt from its branches agree, with and without a deadline', async (t) => {
  const cases: [string, (cold: RunHelpers['cold']) => Source<unknown, unknown>[], string | undefined][] = [
    ['delivering, failing, empty, throwing', (cold) => [answer(cold('--a|', { a: 1 })), answer(cold('-#', undefined, new Error('refused'))), answer(cold('---|')), mergeMap(() => { throw new Error('thrown') })], undefined],
    ['late branches torn down at the deadline', (cold) => [answer(cold('------a|', { a: 1 })), answer(cold('-b|', { b: 2 })), answer(cold('-'))], '4'],
    ['a branch finishing exactly at the deadline', (cold) => [answer(cold('-a--|', { a: 1 })), answer(cold('----b|', { b: 2 }))], '4'],
    ['synchronous sources', () => [answer(of(1)), answer(of(2, 3))], '4'],
  ]
  for (const [name, sources, deadline] of cases) {
    const results: unknown[] = []
    for (const rebuilt of [false, true]) {
      marbles(t, ({ cold, flush }) => {
        const withFan = (parts: Fan): Fan => (rebuilt ? fan(parts.names, parts.branches) : parts)
        const fanned = cold('r|').pipe(fanOut(sources(cold)), map(withFan))
        const timed = deadline === undefined ? fanned : fanned.pipe(timeoutEach(Number(deadline)))
        // merge() right after fanOut (and timeoutEach) is folded into one step; after a map, it is not
        const answers = (deadline === undefined ? fanOut(sources(cold)) : pipe(fanOut(sources(cold)), timeoutEach(Number(deadline))))(cold('r|'))
        const merged = (rebuilt ? timed.pipe(merge()) : answers.pipe(merge())).pipe(map(plainMerged))
        const frames: unknown[] = []
        const seen = (value: unknown) => frames.push([asyncScheduler.now(), value])
        timed.pipe(mergeAll(), map(plain)).subscribe({ next: seen, complete: () => seen('complete') })
        merged.subscribe({ next: seen, complete: () => seen('merged complete') })
        flush()
        results.push(frames)
      })
    }
    t.ok((results[0] as unknown[]).length > 1, `${name}: parts seen`)
    t.strictSame(results[1], results[0], name)
  }
})
