import type { Observable } from 'rxjs'
import { ErrorCodes, RxgateError } from '../lib/errors.js'
import type { Source } from './fan-out.js'
import { callSource, perRequest } from './per-request.js'

/**
 * Spreads requests over equivalent sources, one per request, in turn (round robin, as KrakenD
 * balances a backend's `host` list): the first request goes to the first source, the next to the
 * second, and so on, wrapping around. The turn is kept per `balance()` call, shared by every
 * request through it, and taken when a request arrives. Nothing is retried elsewhere: a failing
 * source fails its request. A single source is returned as it is.
 *
 * @example
 * const users = balance([fromHost('http://users-1'), fromHost('http://users-2')])
 * gw.get('/users/{id}', pipe(fanOut({ user: users }), merge()))
 */
export function balance<R, T>(sources: readonly Source<R, T>[]): Source<R, T> {
  if (!Array.isArray(sources) || sources.length === 0) {
    throw new RxgateError(
      ErrorCodes.BAD_ARGUMENT,
      'balance(): expected a non-empty list of sources (operators from a request to results), one per host',
    )
  }
  for (const [index, source] of sources.entries()) {
    if (typeof source !== 'function') {
      throw new RxgateError(
        ErrorCodes.BAD_ARGUMENT,
        `balance(): source ${index} is not an operator: pass a function from a request observable to results, e.g. mergeMap((req) => fetch$(req))`,
      )
    }
  }
  if (sources.length === 1) return sources[0]!
  let turn = 0
  return perRequest((request: R): Observable<T> => {
    const source = sources[turn]!
    turn = (turn + 1) % sources.length
    return callSource(source, request)
  })
}
