import t from 'tap'
import { map, mergeAll, mergeMap, of, type Observable } from 'rxjs'
import { RxgateError } from '../../lib/errors.js'
import { merge } from '../../operators/merge.js'
import { fan } from '../../operators/part.js'
import { timeoutEach } from '../../operators/timeout-each.js'
import { answer, ko, marbles, ok, plain, plainMerged, fanOutPaths } from './fixtures/marbles.js'

// Every test runs on both of fanOut's paths, which must agree (see fanOutPaths).
for (const { path, fanOut } of fanOutPaths) {
  t.test(`${path} path`, async (t) => {
    t.test('a late source becomes a failed RXGATE_ERR_TIMEOUT part at the deadline and is unsubscribed then', async (t) => {
      marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
        const fast = cold('--a|', { a: 1 })
        const slow = cold('-------b|', { b: 2 })
        const out = cold('r|').pipe(fanOut([answer(fast), answer(slow)]), timeoutEach(5), mergeAll(), map(plain))
        expectObservable(out).toBe('--a--(t|)', { a: ok('0', 0, 1), t: ko('1', 1, 'RXGATE_ERR_TIMEOUT') })
        expectSubscriptions(fast.subscriptions).toBe('^--!')
        expectSubscriptions(slow.subscriptions).toBe('^----!')
      })
    })

    t.test('fast sources are unaffected: nothing is added, nothing is delayed', async (t) => {
      marbles(t, ({ cold, expectObservable }) => {
        const a = cold('-a|', { a: 1 })
        const b = cold('---b|', { b: 2 })
        const out = cold('r|').pipe(fanOut([answer(a), answer(b)]), timeoutEach(10), mergeAll(), map(plain))
        expectObservable(out).toBe('-a-b|', { a: ok('0', 0, 1), b: ok('1', 1, 2) })
      })
    })

    t.test('a source that finishes early does not keep the fan open until the deadline', async (t) => {
      marbles(t, ({ cold, expectObservable }) => {
        const quick = cold('-q|', { q: { id: 1 } })
        const fan$ = cold('r|').pipe(fanOut([answer(quick)]), timeoutEach(100))
        expectObservable(fan$.pipe(mergeAll(), map(plain))).toBe('-q|', { q: ok('0', 0, { id: 1 }) })
        // The merged answer is there at frame 2, not at 100.
        expectObservable(fan$.pipe(merge(), map(plainMerged))).toBe('--(m|)', {
          m: { data: { id: 1 }, complete: true, delivered: 1, errors: [] },
        })
      })
    })

    t.test('keeps the parts a source delivered before its deadline', async (t) => {
      marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
        const chatty = cold('-a-b-----c|', { a: 1, b: 2, c: 3 })
        const out = cold('r|').pipe(fanOut([answer(chatty)]), timeoutEach(6), mergeAll(), map(plain))
        expectObservable(out).toBe('-a-b--(t|)', { a: ok('0', 0, 1), b: ok('0', 0, 2), t: ko('0', 0, 'RXGATE_ERR_TIMEOUT') })
        expectSubscriptions(chatty.subscriptions).toBe('^-----!')
      })
    })

    t.test('a source that never answers times out too', async (t) => {
      marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
        const hang = cold('-')
        const out = cold('r|').pipe(fanOut({ hang: answer(hang) }), timeoutEach(4), mergeAll(), map(plain))
        expectObservable(out).toBe('----(t|)', { t: ko('hang', 0, 'RXGATE_ERR_TIMEOUT') })
        expectSubscriptions(hang.subscriptions).toBe('^---!')
      })
    })

    t.test('a source that fails before its deadline keeps its own error, with no timeout added', async (t) => {
      marbles(t, ({ cold, expectObservable }) => {
        const broken = cold('-#', undefined, new Error('refused'))
        const out = cold('r|').pipe(fanOut([answer(broken)]), timeoutEach(5), mergeAll(), map(plain))
        expectObservable(out).toBe('-(e|)', { e: ko('0', 0, 'refused') })
      })
    })

    t.test('accepts Go-style duration strings', async (t) => {
      marbles(t, ({ cold, expectObservable }) => {
        const slow = cold('1s s|', { s: 1 })
        const fast = cold('798ms f|', { f: 2 })
        const out = cold('r|').pipe(fanOut([answer(slow), answer(fast)]), timeoutEach('800ms'), mergeAll(), map(plain))
        expectObservable(out).toBe('798ms f 1ms (t|)', { f: ok('1', 1, 2), t: ko('0', 0, 'RXGATE_ERR_TIMEOUT') })
      })
      marbles(t, ({ cold, expectObservable }) => {
        const out = cold('r|').pipe(fanOut([answer(cold('-'))]), timeoutEach('1m30s'), mergeAll(), map(plain))
        expectObservable(out).toBe('90s (t|)', { t: ko('0', 0, 'RXGATE_ERR_TIMEOUT') })
      })
    })

    t.test('a source still running at the deadline frame is late, even if it would complete in that frame', async (t) => {
      marbles(t, ({ cold, expectObservable }) => {
        const edge = cold('-e---|', { e: 1 })
        const out = cold('r|').pipe(fanOut([answer(edge)]), timeoutEach(5), mergeAll(), map(plain))
        expectObservable(out).toBe('-e---(t|)', { e: ok('0', 0, 1), t: ko('0', 0, 'RXGATE_ERR_TIMEOUT') })
      })
    })

    t.test('each request has its own deadline, counted from its own start', async (t) => {
      marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
        const slow = cold('--------s|')
        const out = cold('a--b|').pipe(fanOut([answer(slow)]), timeoutEach(5), mergeAll(), map(plain))
        expectObservable(out).toBe('-----x--(y|)', { x: ko('0', 0, 'RXGATE_ERR_TIMEOUT'), y: ko('0', 0, 'RXGATE_ERR_TIMEOUT') })
        expectSubscriptions(slow.subscriptions).toBe(['^----!', '---^----!'])
      })
    })

    t.test('unsubscribing before the deadline cancels the sources and the deadline alike', async (t) => {
      marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
        const slow = cold('--------s|')
        const out = cold('r|').pipe(fanOut([answer(slow)]), timeoutEach(5), mergeAll(), map(plain))
        expectObservable(out, '^-!').toBe('---')
        expectSubscriptions(slow.subscriptions).toBe('^-!')
      })
    })

    t.test('the timeout error says which source and how long, with the code', async (t) => {
      let error: unknown
      marbles(t, ({ cold, flush }) => {
        cold('r|')
          .pipe(fanOut({ users: answer(cold('-')) }), timeoutEach('2s'), mergeAll())
          .subscribe((part) => {
            if (!part.ok) error = part.error
          })
        flush()
      })
      t.type(error, RxgateError)
      t.match(error, { code: 'RXGATE_ERR_TIMEOUT', message: /"users".*2000ms/, details: { source: 'users', timeout: 2000 } })
    })

    t.test('rejects a bad duration when it is created, not per request', async (t) => {
      for (const bad of ['fast', '', '10', '-1s', -5, Number.NaN, Number.POSITIVE_INFINITY]) {
        t.throws(() => timeoutEach(bad as never), { code: 'RXGATE_ERR_BAD_DURATION' }, String(bad))
      }
      t.doesNotThrow(() => of(timeoutEach(0)))
    })

    t.test('one deadline for the whole fan: every branch still running then is torn down and becomes a failed part, in source order', async (t) => {
      marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
        const first = cold('--------a|', { a: 1 })
        const quick = cold('-q|', { q: 2 })
        const third = cold('-', {})
        const out = cold('r|').pipe(fanOut([answer(first), answer(quick), answer(third)]), timeoutEach(4), mergeAll(), map(plain))
        expectObservable(out).toBe('-q--(xy|)', { q: ok('1', 1, 2), x: ko('0', 0, 'RXGATE_ERR_TIMEOUT'), y: ko('2', 2, 'RXGATE_ERR_TIMEOUT') })
        expectSubscriptions(first.subscriptions).toBe('^---!')
        expectSubscriptions(quick.subscriptions).toBe('^-!')
        expectSubscriptions(third.subscriptions).toBe('^---!')
      })
    })

    t.test('a branch finishing exactly at the deadline is late, and the others that finished before are kept', async (t) => {
      marbles(t, ({ cold, expectObservable }) => {
        const early = cold('-a|', { a: { a: 1 } })
        const edge = cold('---e|', { e: { e: 2 } })
        const out = cold('r|').pipe(fanOut([answer(early), answer(edge)]), timeoutEach(3), merge(), map(plainMerged))
        expectObservable(out).toBe('---(m|)', { m: { data: { a: 1 }, complete: false, delivered: 1, errors: [ko('1', 1, 'RXGATE_ERR_TIMEOUT')] } })
      })
    })

    t.test('a branch erroring before the deadline ends the fan with that error and tears every branch down, the deadline too', async (t) => {
      marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
        const slow = cold('------s|', { s: ok('0', 0, 1) as never })
        const broken = cold('-#', undefined, new Error('broken branch'))
        // A fan built by hand, whose branch errors as a stream rather than as a failed part.
        const out = cold('r|').pipe(map(() => fan(['0', '1'], [slow, broken])), timeoutEach(4), mergeAll())
        expectObservable(out).toBe('-#', undefined, new Error('broken branch'))
        expectSubscriptions(slow.subscriptions).toBe('^!')
      })
    })

    t.test('a fan with no branches completes at once, with no deadline left behind', async (t) => {
      marbles(t, ({ cold, expectObservable }) => {
        const out = cold('r|').pipe(fanOut([]), timeoutEach(4), merge(), map(plainMerged))
        expectObservable(out).toBe('m|', { m: { data: {}, complete: true, delivered: 0, errors: [] } })
      })
    })

    t.test('the branches taken one by one keep the deadline, each its own', async (t) => {
      marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
        const fast = cold('-a|', { a: 1 })
        const slow = cold('------b|', { b: 2 })
        const fan$ = cold('r|').pipe(fanOut([answer(fast), answer(slow)]), timeoutEach(3))
        expectObservable(fan$.pipe(mergeMap((parts) => parts.branches[1]!), map(plain))).toBe('---(t|)', { t: ko('1', 1, 'RXGATE_ERR_TIMEOUT') })
        expectObservable(fan$.pipe(mergeMap((parts) => parts.branches[0]!), map(plain))).toBe('-a|', { a: ok('0', 0, 1) })
        expectSubscriptions(slow.subscriptions).toBe('^--!')
      })
    })

    t.test('the names and labels of the fan are kept', async (t) => {
      marbles(t, ({ cold, expectObservable }) => {
        const out = cold('r|').pipe(fanOut({ users: answer(cold('-u|', { u: 1 })) }), timeoutEach(3), map((parts) => parts.names.join()))
        expectObservable(out).toBe('r|', { r: 'users' })
      })
    })
  })
}
