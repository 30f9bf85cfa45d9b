import { mergeMap, of, type Observable, type OperatorFunction } from 'rxjs'

const CALL = Symbol('rxgate.perRequest')

type Tagged<R, T> = OperatorFunction<R, T> & { readonly [CALL]?: (request: R) => Observable<T> }

/**
 * A source made of a function from one request to its results: an operator like
 * `mergeMap(call)`, which the fan-out operators (`fanOut`, `balance`, `concurrent`, `sequence`,
 * `shadow`) call directly instead, without an observable of the one request in between: they run
 * for every source of every request. `backend()` is one.
 *
 * @example
 * const clock = perRequest((req: GatewayRequest) => of({ now: Date.now() }))
 * fanOut({ clock, user: users })
 */
export function perRequest<R, T>(call: (request: R) => Observable<T>): OperatorFunction<R, T> {
  return Object.assign(mergeMap(call), { [CALL]: call })
}

/** A source's results for one request: its call when it has one (see {@link perRequest}), or the operator on that request alone. */
export function callSource<R, T>(source: OperatorFunction<R, T>, request: R): Observable<T> {
  const call = (source as Tagged<R, T>)[CALL]
  return call === undefined ? source(of(request)) : call(request)
}
