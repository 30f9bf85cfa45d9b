import t from 'tap'
import { map, of } from 'rxjs'
import { fanOut } from '../../operators/fan-out.js'
import { merge, type Merged } from '../../operators/merge.js'
import { failed } from '../../operators/part.js'
import { staticData, type StaticStrategy } from '../../operators/static-data.js'
import { answer, ko, marbles, plainMerged } from './fixtures/marbles.js'

const STATIC = { defaults: { cart: [] } }

const answers: Record<string, Merged> = {
  complete: { data: { a: 1, b: 2 }, complete: true, delivered: 2, errors: [] },
  partial: { data: { a: 1 }, complete: false, delivered: 1, errors: [failed('b', 1, new Error('503'))] },
  failed: { data: {}, complete: false, delivered: 0, errors: [failed('a', 0, new Error('down')), failed('b', 1, new Error('503'))] },
  // Not from merge(): a source that reported partial data without an error.
  degraded: { data: { a: 1 }, complete: false, delivered: 1, errors: [] },
}

/** Which answers each strategy decorates, after Lura's static.go. */
const applies: Record<StaticStrategy, string[]> = {
  always: ['complete', 'partial', 'failed', 'degraded'],
  success: ['complete', 'degraded'],
  complete: ['complete'],
  errored: ['partial', 'failed'],
  incomplete: ['partial', 'failed', 'degraded'],
}

t.test('each strategy decorates the answers Lura would', async (t) => {
  for (const [strategy, expected] of Object.entries(applies)) {
    const decorated = Object.keys(answers).filter((name) => {
      let out: Merged | undefined
      of(answers[name]!)
        .pipe(staticData(strategy as StaticStrategy, STATIC))
        .subscribe((m) => (out = m))
      return out !== answers[name]
    })
    t.strictSame(decorated, expected, strategy)
  }
})

t.test('adds its keys at the top, replacing colliding ones, and counts as one more delivered part', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const out = cold('-a|', { a: answers.complete! }).pipe(staticData('always', { b: 'static', c: 3 }), map(plainMerged))
    expectObservable(out).toBe('-a|', { a: { data: { a: 1, b: 'static', c: 3 }, complete: true, delivered: 3, errors: [] } })
  })
})

t.test('errored: when every source failed, the answer is the static data, still incomplete, errors kept', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const down = cold('-#', undefined, new Error('down'))
    const slow = cold('---#', undefined, new Error('503'))
    const out = cold('r|').pipe(
      fanOut({ foo: answer(down), bar: answer(slow) }),
      merge(),
      staticData('errored', { errors_happened: { foo: 42, bar: 'default bar' } }),
      map(plainMerged),
    )
    expectObservable(out).toBe('---(m|)', {
      m: {
        data: { errors_happened: { foo: 42, bar: 'default bar' } },
        // No longer "nobody delivered" (delivered 0 with complete false): a 200 with the data, as KrakenD.
        complete: false,
        delivered: 1,
        errors: [ko('foo', 0, 'down'), ko('bar', 1, '503')],
      },
    })
  })
})

t.test('incomplete: one source failed, the other answered, both kept with the defaults', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const foo = cold('-#', undefined, new Error('down'))
    const bar = cold('--b|', { b: { bar: { status: 'ok' } } })
    const out = cold('r|').pipe(
      fanOut({ foo: answer(foo), bar: answer(bar) }),
      merge(),
      staticData('incomplete', { defaults: { foo: 42 } }),
      map(plainMerged),
    )
    expectObservable(out).toBe('---(m|)', {
      m: { data: { bar: { status: 'ok' }, defaults: { foo: 42 } }, complete: false, delivered: 2, errors: [ko('foo', 0, 'down')] },
    })
  })
})

t.test('a strategy that does not apply leaves the answer as it is', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const out = cold('a-b|', { a: answers.complete!, b: answers.failed! }).pipe(staticData('errored', STATIC))
    expectObservable(out).toBe('a-b|', { a: answers.complete!, b: { ...answers.failed!, data: STATIC, delivered: 1 } })
  })
})

t.test('data that is not a plain object passes unchanged', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const list: Merged<unknown> = { data: [1, 2], complete: true, delivered: 1, errors: [] }
    expectObservable(cold('a|', { a: list as Merged }).pipe(staticData('always', STATIC))).toBe('a|', { a: list as Merged })
  })
})

t.test('never modifies the answer it gets, nor shares the caller\'s object', async (t) => {
  const data = { defaults: { cart: ['x'] } }
  const operator = staticData('always', data)
  data.defaults.cart.push('changed later')
  const input = Object.freeze({ ...answers.complete!, data: Object.freeze({ a: 1 }) })
  let out: Merged | undefined
  of(input)
    .pipe(operator)
    .subscribe((m) => (out = m))
  t.strictSame(input.data, { a: 1 })
  t.strictSame(out!.data, { a: 1, defaults: { cart: ['x'] } })
})

t.test('keeps a __proto__ key of the static data a field', async (t) => {
  let out: Merged | undefined
  of(answers.complete!)
    .pipe(staticData('always', JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>))
    .subscribe((m) => (out = m))
  t.equal(Object.getPrototypeOf(out!.data), Object.prototype)
  t.strictSame(Object.getOwnPropertyDescriptor(out!.data, '__proto__')?.value, { polluted: true })
})

t.test('errors pass through untouched', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const error = new Error('boom')
    expectObservable(cold<Merged>('-#', undefined, error).pipe(staticData('always', STATIC))).toBe('-#', undefined, error)
  })
})

t.test('rejects a bad strategy or bad data when it is created', async (t) => {
  for (const strategy of ['sometimes', '', 'toString', undefined, 1]) {
    t.throws(() => staticData(strategy as never, STATIC), { code: 'RXGATE_ERR_BAD_ARGUMENT', message: /strategy/ }, String(strategy))
  }
  for (const data of [null, [1], 'x', undefined]) {
    t.throws(() => staticData('always', data as never), { code: 'RXGATE_ERR_BAD_ARGUMENT', message: /object/ }, String(data))
  }
  t.throws(() => staticData('always', { f: () => 1 }), { code: 'RXGATE_ERR_BAD_ARGUMENT', message: /plain data/ })
})
