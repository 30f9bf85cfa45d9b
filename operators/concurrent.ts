import { Observable, type Subscription } from 'rxjs'
import { ErrorCodes, RxgateError } from '../lib/errors.js'
import type { Source } from './fan-out.js'
import { callSource, perRequest } from './per-request.js'

/**
 * Calls a source `n` times at once for each request and keeps the fastest (KrakenD's
 * `concurrent_calls`): the first copy to deliver a value wins, the others are unsubscribed at
 * once (their HTTP requests aborted), and the winner is followed to its end. A copy that errors
 * or completes empty before any value is simply out of the race; only when all `n` are out does
 * the result fail, with the last error (or completes empty when none errored). `n = 1` is the
 * source itself. Only for idempotent requests: every copy reaches the backend.
 *
 * @example
 * gw.get('/products', pipe(fanOut({ products: concurrent(3, products) }), timeoutEach('800ms'), merge()))
 */
export function concurrent<R, T>(n: number, source: Source<R, T>): Source<R, T> {
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new RxgateError(ErrorCodes.BAD_ARGUMENT, `concurrent(): the number of calls must be a whole number of at least 1, got ${String(n)}`)
  }
  if (typeof source !== 'function') {
    throw new RxgateError(
      ErrorCodes.BAD_ARGUMENT,
      'concurrent(): the source is not an operator: pass a function from a request observable to results, e.g. mergeMap((req) => fetch$(req))',
    )
  }
  if (n === 1) return source
  return perRequest((request: R) => race(request, n, source))
}

/** One request's race, as one observable rather than a chain of operators, since it runs per request. */
function race<R, T>(request: R, n: number, source: Source<R, T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const copies: (Subscription | undefined)[] = []
    let winner = -1
    let out = 0
    let lastError: { error: unknown } | undefined
    const lose = (error?: { error: unknown }) => {
      if (error) lastError = error
      if (++out < n) return
      if (lastError) subscriber.error(lastError.error)
      else subscriber.complete()
    }
    for (let index = 0; index < n && winner < 0 && !subscriber.closed; index++) {
      try {
        copies[index] = callSource(source, request).subscribe({
          next: (value) => {
            if (winner < 0) {
              winner = index
              // Copies started after this one do not exist yet: the loop stops.
              copies.forEach((copy, other) => other !== index && copy?.unsubscribe())
            }
            if (winner === index) subscriber.next(value)
          },
          error: (error: unknown) => (winner === index ? subscriber.error(error) : lose({ error })),
          complete: () => (winner === index ? subscriber.complete() : lose()),
        })
      } catch (error) {
        // A source that throws when called, before it returns an observable.
        lose({ error })
      }
    }
    return () => copies.forEach((copy) => copy?.unsubscribe())
  })
}
