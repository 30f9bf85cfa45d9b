import { EMPTY, concat, defer, map, of, takeUntil, tap, timer, type Observable, type OperatorFunction } from 'rxjs'
import { ErrorCodes, RxgateError } from '../lib/errors.js'
import { toMilliseconds, type Duration } from './duration.js'
import { fan, failed, type Fan, type Part } from './part.js'

/**
 * Gives every source of a {@link Fan} a deadline. A source still running when it passes becomes a
 * failed part (an `RXGATE_ERR_TIMEOUT` error, not a stream error) and its subscription is torn
 * down, which aborts its HTTP request. Parts it delivered before the deadline are kept.
 *
 * @example
 * request$.pipe(fanOut([users, cart]), timeoutEach('800ms'), merge())
 */
export function timeoutEach<T>(duration: Duration): OperatorFunction<Fan<T>, Fan<T>> {
  const ms = toMilliseconds(duration)
  return map(({ names, branches }) =>
    fan(names, branches.map((branch, index) => withDeadline(branch, names[index]!, index, ms))),
  )
}

function withDeadline<T>(branch: Observable<Part<T>>, source: string, index: number, ms: number): Observable<Part<T>> {
  return defer(() => {
    let late = false
    const deadline = timer(ms).pipe(tap(() => (late = true)))
    return concat(
      branch.pipe(takeUntil(deadline)),
      defer(() => (late ? of(failed(source, index, timeoutError(source, ms))) : EMPTY)),
    )
  })
}

function timeoutError(source: string, ms: number) {
  return new RxgateError(ErrorCodes.TIMEOUT, `source "${source}" did not answer within ${ms}ms`, { source, timeout: ms })
}
