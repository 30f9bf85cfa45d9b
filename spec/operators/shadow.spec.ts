import t from 'tap'
import { map, mergeMap, of, type Observable } from 'rxjs'
import { fanOut } from '../../operators/fan-out.js'
import { merge } from '../../operators/merge.js'
import { shadow } from '../../operators/shadow.js'
import { answer, marbles, plainMerged } from './fixtures/marbles.js'

t.test('passes every request on unchanged, at once, and fires the shadow with it', async (t) => {
  marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
    const mirror = cold('--m|', { m: 'ignored' })
    const out = cold('a-b|', { a: { id: 1 }, b: { id: 2 } }).pipe(shadow(answer(mirror)))
    expectObservable(out).toBe('a-b|', { a: { id: 1 }, b: { id: 2 } })
    expectSubscriptions(mirror.subscriptions).toBe(['^--!', '--^--!'])
  })
})

t.test('the shadow gets the request itself', async (t) => {
  const seen: unknown[] = []
  const request = { id: 1 }
  of(request)
    .pipe(shadow(map((r) => seen.push(r))))
    .subscribe()
  t.equal(seen[0], request)
})

t.test("the shadow's values, errors and emptiness never reach the answer", async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const values = cold('a(bc)|', { a: 1, b: 2, c: 3 })
    const broken = cold('-#', undefined, new Error('v2 is broken'))
    const empty = cold('|')
    const out = cold('r|').pipe(shadow(answer(values)), shadow(answer(broken)), shadow(answer(empty)))
    expectObservable(out).toBe('r|')
  })
})

t.test('a shadow that throws when called is ignored too', async (t) => {
  const broken = () => {
    throw new Error('not wired')
  }
  const seen: unknown[] = []
  of('r').pipe(shadow(broken)).subscribe({ next: (v) => seen.push(v), error: (e: unknown) => seen.push(e) })
  t.strictSame(seen, ['r'])
})

t.test('detached: ending the request does not cancel the shadow, which runs to its own end', async (t) => {
  marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
    const mirror = cold('------m|')
    const main = cold('-x|')
    const out = cold('r|').pipe(shadow(answer(mirror)), fanOut([answer(main)]), merge(), map(plainMerged))
    // The answer is out at frame 2 and its subscription ends then; the shadow goes on to frame 7.
    expectObservable(out).toBe('--(a|)', { a: { data: 'x', complete: true, delivered: 1, errors: [] } })
    expectSubscriptions(mirror.subscriptions).toBe('^------!')
    const hang = cold('--------h|')
    expectObservable(cold('r|').pipe(shadow(answer(hang))), '^!').toBe('r-')
    expectSubscriptions(hang.subscriptions).toBe('^--------!')
  })
})

t.test('options.timeout bounds the shadow call, counted from the request', async (t) => {
  marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
    const hang = cold('-')
    const quick = cold('-q|')
    const out = cold('a--b|').pipe(shadow(answer(hang), { timeout: 5 }), shadow(answer(quick), { timeout: '1s' }))
    expectObservable(out).toBe('a--b|')
    expectSubscriptions(hang.subscriptions).toBe(['^----!', '---^----!'])
    // A shadow that ends first is not kept until its deadline.
    expectSubscriptions(quick.subscriptions).toBe(['^-!', '---^-!'])
  })
})

t.test('a shadow ending exactly at its deadline is cut, like timeoutEach', async (t) => {
  marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
    const edge = cold('---|')
    expectObservable(cold('r|').pipe(shadow(answer(edge), { timeout: 3 }))).toBe('r|')
    expectSubscriptions(edge.subscriptions).toBe('^--!')
  })
})

t.test('source errors of the request stream pass through untouched', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const error = new Error('boom')
    expectObservable(cold('a#', { a: 1 }, error).pipe(shadow(mergeMap(() => of(0))))).toBe('a#', { a: 1 }, error)
  })
})

t.test('rejects a source that is not an operator, or a bad timeout, when it is created', async (t) => {
  t.throws(() => shadow('http://v2' as never), { code: 'RXGATE_ERR_BAD_ARGUMENT', message: /not an operator/ })
  t.throws(() => shadow((r: Observable<unknown>) => r, { timeout: 'soon' }), { code: 'RXGATE_ERR_BAD_DURATION' })
  t.throws(() => shadow((r: Observable<unknown>) => r, { timeout: -1 }), { code: 'RXGATE_ERR_BAD_DURATION' })
})
