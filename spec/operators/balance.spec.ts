import t from 'tap'
import { map, mergeAll, mergeMap, of } from 'rxjs'
import { balance } from '../../operators/balance.js'
import { fanOut } from '../../operators/fan-out.js'
import { answer, ko, marbles, ok, plain } from './fixtures/marbles.js'

/** A source standing for one host: answers with its name and the request. */
const host = (name: string) => map((request: string) => `${name}:${request}`)

t.test('sends each request to the next source in turn, wrapping around', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const out = cold('abcde|').pipe(balance([host('h1'), host('h2'), host('h3')]))
    expectObservable(out).toBe('abcde|', { a: 'h1:a', b: 'h2:b', c: 'h3:c', d: 'h1:d', e: 'h2:e' })
  })
})

t.test('one source per request: the others are not called', async (t) => {
  marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
    const one = cold('--1|', { 1: 'one' })
    const two = cold('--2|', { 2: 'two' })
    const out = cold('ab|').pipe(balance([answer(one), answer(two)]))
    expectObservable(out).toBe('--12|', { 1: 'one', 2: 'two' })
    expectSubscriptions(one.subscriptions).toBe('^--!')
    expectSubscriptions(two.subscriptions).toBe('-^--!')
  })
})

t.test('the turn is kept per balance() instance and shared by its requests, across subscriptions', async (t) => {
  const first = balance([host('a1'), host('a2')])
  const second = balance([host('b1'), host('b2')])
  const seen: unknown[] = []
  of('x').pipe(first).subscribe((v) => seen.push(v))
  of('x').pipe(second).subscribe((v) => seen.push(v))
  of('y').pipe(first).subscribe((v) => seen.push(v))
  of('z').pipe(first).subscribe((v) => seen.push(v))
  t.strictSame(seen, ['a1:x', 'b1:x', 'a2:y', 'a1:z'])
})

t.test('as a source of fanOut: each request (each fan subscription) goes to the next host', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const users = balance([host('users-1'), host('users-2')])
    const out = cold('a-b-c|').pipe(fanOut({ users }), mergeAll(), map(plain))
    expectObservable(out).toBe('a-b-c|', {
      a: ok('users', 0, 'users-1:a'),
      b: ok('users', 0, 'users-2:b'),
      c: ok('users', 0, 'users-1:c'),
    })
  })
})

t.test('a failing source fails its own request only; nothing is retried on another', async (t) => {
  marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
    const down = cold('-#', undefined, new Error('down'))
    const up = cold('--u|', { u: 'up' })
    const out = cold('a-b|').pipe(fanOut([balance([answer(down), answer(up)])]), mergeAll(), map(plain))
    expectObservable(out).toBe('-a--b|', { a: ko('0', 0, 'down'), b: ok('0', 0, 'up') })
    expectSubscriptions(down.subscriptions).toBe('^!')
    expectSubscriptions(up.subscriptions).toBe('--^--!')
  })
})

t.test('a source that throws when called fails its request', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const broken = () => {
      throw new Error('not wired')
    }
    const out = cold('ab|').pipe(fanOut([balance([broken, host('h')])]), mergeAll(), map(plain))
    expectObservable(out).toBe('ab|', { a: ko('0', 0, 'not wired'), b: ok('0', 0, 'h:b') })
  })
})

t.test('unsubscribing cancels the source running', async (t) => {
  marbles(t, ({ cold, expectObservable, expectSubscriptions }) => {
    const slow = cold('-----s|')
    expectObservable(cold('r|').pipe(balance([answer(slow), answer(slow)])), '^--!').toBe('---')
    expectSubscriptions(slow.subscriptions).toBe('^--!')
  })
})

t.test('a single source is returned as it is', async (t) => {
  const only = mergeMap((n: number) => of(n))
  t.equal(balance([only]), only)
})

t.test('rejects an empty list or a source that is not an operator when it is created', async (t) => {
  t.throws(() => balance([]), { code: 'RXGATE_ERR_BAD_ARGUMENT', message: /non-empty list/ })
  t.throws(() => balance(null as never), { code: 'RXGATE_ERR_BAD_ARGUMENT', message: /non-empty list/ })
  t.throws(() => balance([host('h'), 'http://h2' as never]), { code: 'RXGATE_ERR_BAD_ARGUMENT', message: /source 1 is not an operator/ })
})
