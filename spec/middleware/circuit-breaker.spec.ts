import { catchError, map, mergeMap, of, take, timeout, type Observable } from 'rxjs'
import t from 'tap'
import { ErrorCodes, RxgateError } from '../../lib/errors.js'
import { Breaker } from '../../lib/middleware/breaker.js'
import { circuitBreaker, type CircuitBreakerOptions } from '../../lib/middleware/circuit-breaker.js'
import type { BackendSource } from '../../lib/middleware/types.js'
import { RequestContext, type GatewayRequest } from '../../lib/request.js'
import { callSource, perRequest } from '../../operators/per-request.js'
import { recordingLogger } from '../helpers/serve-gateway.js'
import { marbles } from '../operators/fixtures/marbles.js'

const REQUEST: GatewayRequest = {
  method: 'GET',
  path: '/users/1',
  params: { id: '1' },
  query: new URLSearchParams(),
  headers: {},
  clientIp: '127.0.0.1',
  context: new RequestContext(),
}

const BROKEN = new RxgateError(ErrorCodes.BACKEND_STATUS, 'invalid status code 503', { status: 503 })

/** A backend whose n-th call answers as `script[n]` (the last one for every call after), and how many calls it got. */
function scripted(script: readonly Observable<unknown>[]): { source: BackendSource; calls: () => number } {
  let calls = 0
  const source = perRequest(() => script[Math.min(calls++, script.length - 1)]!)
  return { source, calls: () => calls }
}

/** Each call's outcome as a letter's value: `ok`, the failure's code, or a refusal with the state that refused it. */
function outcome(call$: Observable<unknown>): Observable<string> {
  return call$.pipe(
    map(() => 'ok'),
    catchError((error: unknown) => {
      const { code, details } = error as RxgateError
      return of(code === ErrorCodes.CIRCUIT_OPEN ? `refused while ${String(details.state)}` : code)
    }),
  )
}

/** One call through `guarded` for each value of `requests`, each turned into its outcome. */
function calls(requests: Observable<unknown>, guarded: BackendSource): Observable<string> {
  return requests.pipe(mergeMap(() => outcome(callSource(guarded, REQUEST))))
}

const OUTCOMES = { o: 'ok', f: ErrorCodes.BACKEND_STATUS, x: 'refused while open', y: 'refused while half-open' }

const options = (overrides: Partial<CircuitBreakerOptions>): CircuitBreakerOptions => ({ interval: 60, timeout: 10, max_errors: 1, ...overrides })

t.test('closed, then open on the failure after max_errors: refused at once, the backend not called', async (t) => {
  const counts: (() => number)[] = []
  marbles(t, ({ cold, expectObservable }) => {
    const backend = scripted([cold('-#', undefined, BROKEN)])
    counts.push(backend.calls)
    const guarded = circuitBreaker(options({ max_errors: 2 }))(backend.source)
    expectObservable(calls(cold('a 9ms b 9ms c 9ms d 9ms e'), guarded)).toBe('-f 9ms f 9ms f 8ms x 9ms x', OUTCOMES)
  })
  t.equal(counts[0]!(), 3, 'max_errors 2: the third consecutive failure opens it; the two calls after never reach the backend')
})

t.test('a success in between starts the count again: failures must be consecutive', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const { source } = scripted([cold('-#', undefined, BROKEN), cold('-a|'), cold('-#', undefined, BROKEN)])
    const guarded = circuitBreaker(options({ max_errors: 1 }))(source)
    expectObservable(calls(cold('a 9ms b 9ms c 9ms d 9ms e'), guarded)).toBe('-f 9ms o 9ms f 9ms f 8ms x', OUTCOMES)
  })
})

t.test('half-open after timeout: one trial call, others refused while it runs, its success closes the breaker', async (t) => {
  const counts: (() => number)[] = []
  marbles(t, ({ cold, expectObservable }) => {
    const backend = scripted([cold('-#', undefined, BROKEN), cold('-----a|'), cold('-a|')])
    const guarded = circuitBreaker(options({ max_errors: 0, timeout: 1 }))(backend.source)
    // opened at frame 1: still open at exactly 1 s (1001), half-open just after (1002)
    expectObservable(calls(cold('a 1000ms b c 1ms d 5ms e'), guarded)).toBe('-f 999ms x 2ms y 2ms o 3ms o', OUTCOMES)
    counts.push(backend.calls)
  })
  t.equal(counts[0]!(), 3, 'the failure, the trial, the call after it: none while open or while the trial ran')
})

t.test('a trial call that fails opens the breaker again for another whole timeout', async (t) => {
  const counted: (() => number)[] = []
  marbles(t, ({ cold, expectObservable }) => {
    const backend = scripted([cold('-#', undefined, BROKEN), cold('-#', undefined, BROKEN), cold('-a|')])
    counted.push(backend.calls)
    const guarded = circuitBreaker(options({ max_errors: 0, timeout: 1 }))(backend.source)
    expectObservable(calls(cold('a 1001ms b 1000ms c d'), guarded)).toBe('-f 1001ms f 999ms x-o', OUTCOMES)
  })
  t.equal(counted[0]!(), 3, 'the first failure, the failed trial, the trial that closed it')
})

t.test('interval: once the window has passed, the next call starts a new one with no failure counted', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const { source } = scripted([cold('-#', undefined, BROKEN)])
    const guarded = circuitBreaker(options({ max_errors: 1, interval: 1 }))(source)
    // failures at 1 (first window) and 1002 (second): one each, still closed; the one at 1011 is the second of its window
    expectObservable(calls(cold('a 1000ms b 8ms c 9ms d'), guarded)).toBe('-f 1000ms f 8ms f 8ms x', OUTCOMES)
  })
})

t.test('interval 0: failures count however far apart they are', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const { source } = scripted([cold('-#', undefined, BROKEN)])
    const guarded = circuitBreaker(options({ max_errors: 1, interval: 0, timeout: 3 * 3600 }))(source)
    expectObservable(calls(cold('a 60m b 60m c'), guarded)).toBe('-f 60m f 3599999ms x', OUTCOMES)
  })
})

t.test('a call cancelled before it answers (a deadline, a client gone) is a failure, as KrakenD counts a cancelled context', async (t) => {
  const counts: (() => number)[] = []
  marbles(t, ({ cold, expectObservable }) => {
    const backend = scripted([cold('-')])
    counts.push(backend.calls)
    const guarded = circuitBreaker(options({ max_errors: 0 }))(backend.source)
    const withDeadline = cold('a 9ms b').pipe(
      mergeMap(() => outcome(callSource(guarded, REQUEST).pipe(timeout({ first: 5, with: () => of('late') })))),
    )
    expectObservable(withDeadline).toBe('-----o 4ms x', OUTCOMES)
  })
  t.equal(counts[0]!(), 1, 'the hanging backend was called once: its deadline opened the breaker')
})

t.test('a call whose value arrived is a success, even when it is unsubscribed before it completes', async (t) => {
  const counts: (() => number)[] = []
  marbles(t, ({ cold, expectObservable }) => {
    const backend = scripted([cold('-a')])
    counts.push(backend.calls)
    const guarded = circuitBreaker(options({ max_errors: 0 }))(backend.source)
    const firstOnly = cold('a 9ms b 9ms c').pipe(mergeMap(() => outcome(callSource(guarded, REQUEST).pipe(take(1)))))
    expectObservable(firstOnly).toBe('-o 9ms o 9ms o', OUTCOMES)
  })
  t.equal(counts[0]!(), 3)
})

t.test('a call that ends after the breaker changed state is not counted, as gobreaker ignores an older generation', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const { source } = scripted([cold('1010ms #', undefined, BROKEN), cold('-#', undefined, BROKEN), cold('----------a|'), cold('-a|')])
    const guarded = circuitBreaker(options({ max_errors: 0, timeout: 1 }))(source)
    // a slow call made while closed fails at 1010, while the trial made at 1005 runs: it does not
    // open the breaker again, and the trial's success at 1015 closes it
    expectObservable(calls(cold('ab 1003ms c 14ms d'), guarded)).toBe('--f 1007ms f 4ms o 5ms o', OUTCOMES)
  })
})

t.test('timeout 0 reads as 60 seconds, as gobreaker reads it', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const { source } = scripted([cold('-#', undefined, BROKEN), cold('-a|')])
    const guarded = circuitBreaker(options({ max_errors: 0, timeout: 0 }))(source)
    expectObservable(calls(cold('a 59s b 1s c'), guarded)).toBe('-f 58999ms x 1001ms o', OUTCOMES)
  })
})

t.test('a source that throws when called is a failure, and does not keep the trial slot', async (t) => {
  let calls = 0
  const throwing: BackendSource = perRequest(() => {
    calls++
    throw new Error('no observable')
  })
  const guarded = circuitBreaker(options({ max_errors: 0, timeout: 1 }))(throwing)
  const first = await new Promise((resolve) => callSource(guarded, REQUEST).subscribe({ error: resolve }))
  t.match(first, { message: 'no observable' })
  const second = await new Promise((resolve) => callSource(guarded, REQUEST).subscribe({ error: resolve }))
  t.match(second, { code: ErrorCodes.CIRCUIT_OPEN, details: { state: 'open' } })
  t.equal(calls, 1)
})

t.test('each backend it wraps has its own breaker', async (t) => {
  const counts: (() => number)[] = []
  marbles(t, ({ cold, expectObservable }) => {
    const middleware = circuitBreaker(options({ max_errors: 0 }))
    const broken = scripted([cold('-#', undefined, BROKEN)])
    const healthy = scripted([cold('-a|')])
    counts.push(broken.calls, healthy.calls)
    const brokenGuarded = middleware(broken.source)
    const healthyGuarded = middleware(healthy.source)
    expectObservable(calls(cold('a 9ms b'), brokenGuarded)).toBe('-f 8ms x', OUTCOMES)
    expectObservable(calls(cold('a 9ms b'), healthyGuarded)).toBe('-o 9ms o', OUTCOMES)
  })
  t.equal(counts[1]!(), 2, 'the healthy backend is still called')
})

t.test('log_status_change logs each change with the backend and the name; without it, nothing', async (t) => {
  const { logger, lines } = recordingLogger()
  marbles(t, ({ cold, expectObservable }) => {
    const { source } = scripted([cold('-#', undefined, BROKEN), cold('-a|')])
    const guarded = circuitBreaker(options({ max_errors: 0, timeout: 1, name: 'cb-users', log_status_change: true }), {
      logger,
      at: 'backend /users/{id}',
    })(source)
    expectObservable(calls(cold('a 1001ms b'), guarded)).toBe('-f 1001ms o', OUTCOMES)
  })
  t.same(
    lines.map(({ level, msg, from, to, backend, breaker }) => ({ level, msg, from, to, backend, breaker })),
    [
      { level: 40, msg: 'the circuit breaker "cb-users" of backend /users/{id} went from closed to open', from: 'closed', to: 'open', backend: 'backend /users/{id}', breaker: 'cb-users' },
      { level: 40, msg: 'the circuit breaker "cb-users" of backend /users/{id} went from open to half-open', from: 'open', to: 'half-open', backend: 'backend /users/{id}', breaker: 'cb-users' },
      { level: 40, msg: 'the circuit breaker "cb-users" of backend /users/{id} went from half-open to closed', from: 'half-open', to: 'closed', backend: 'backend /users/{id}', breaker: 'cb-users' },
    ],
  )

  const quiet = recordingLogger()
  marbles(t, ({ cold, expectObservable }) => {
    const { source } = scripted([cold('-#', undefined, BROKEN)])
    const guarded = circuitBreaker(options({ max_errors: 0 }), { logger: quiet.logger, at: 'backend /x' })(source)
    expectObservable(calls(cold('a 9ms b'), guarded)).toBe('-f 8ms x', OUTCOMES)
  })
  t.same(quiet.lines, [], 'log_status_change off: no line')
})

t.test("the refusal names the breaker and the backend in its message, and a client sees the code's fixed text", async (t) => {
  const guarded = circuitBreaker(options({ max_errors: 0, timeout: 10, name: 'cb-users' }), { at: 'backend /users/{id}' })(
    perRequest(() => {
      throw BROKEN
    }),
  )
  await new Promise((resolve) => callSource(guarded, REQUEST).subscribe({ error: resolve }))
  const refused = (await new Promise((resolve) => callSource(guarded, REQUEST).subscribe({ error: resolve }))) as RxgateError
  t.equal(refused.code, 'RXGATE_ERR_CIRCUIT_OPEN')
  t.equal(refused.message, 'the circuit breaker "cb-users" of backend /users/{id} is open: the backend failed once, and is not called for 10s after that')
  t.same(refused.details, { backend: 'backend /users/{id}', breaker: 'cb-users', state: 'open' })
})

t.test('a block that cannot work throws when the middleware is made; a block of zeros is no breaker, as in KrakenD', async (t) => {
  const bad: [unknown, RegExp][] = [
    [{ interval: 60, timeout: 10, max_errors: -1 }, /max_errors must be a whole number of 0 or more \(got -1\)/],
    [{ interval: -5, timeout: 10, max_errors: 1 }, /interval must be a whole number of 0 or more \(got -5\)/],
    [{ interval: 60, timeout: '10s', max_errors: 1 }, /timeout must be a whole number of 0 or more \(got "10s"\)/],
    [{ interval: 60, timeout: 10 }, /max_errors must be a whole number of 0 or more \(got nothing\)/],
    [{ interval: 1.5, timeout: 10, max_errors: 1 }, /interval must be a whole number/],
    [{ interval: 60, timeout: 10, max_errors: 1, name: 7 }, /name must be a string/],
  ]
  for (const [block, message] of bad) {
    t.throws(() => circuitBreaker(block as CircuitBreakerOptions, { at: 'backend /x' }), { code: ErrorCodes.BAD_ARGUMENT, message }, JSON.stringify(block))
  }
  const source = perRequest(() => of(1))
  t.equal(circuitBreaker({ interval: 0, timeout: 0, max_errors: 0 })(source), source, 'all zeros: the backend as it is')
  t.not(circuitBreaker({ interval: 0, timeout: 0, max_errors: 0, name: 'named' })(source), source, 'a name makes it a breaker, as in KrakenD')
})

t.test('Breaker.state reads the state now: an open breaker whose timeout passed is half-open', async (t) => {
  let now = 0
  const changes: string[] = []
  const breaker = new Breaker({ interval: 0, timeout: 100, maxErrors: 0, now: () => now, onChange: (from, to) => changes.push(`${from}>${to}`) })
  t.equal(breaker.state, 'closed')
  breaker.settle(breaker.admit(), false)
  t.equal(breaker.state, 'open')
  now = 101
  t.equal(breaker.state, 'half-open')
  t.same(changes, ['closed>open', 'open>half-open'])
})
