import { Observable, asyncScheduler, map, type OperatorFunction, type Subscription } from 'rxjs'
import { ErrorCodes, RxgateError } from '../lib/errors.js'
import { toMilliseconds, type Duration } from './duration.js'
import { fan, failed, type Fan, type Part } from './part.js'

/**
 * Gives every source of a {@link Fan} a deadline. A source still running when it passes becomes a
 * failed part (an `RXGATE_ERR_TIMEOUT` error, not a stream error) and its subscription is torn
 * down, which aborts its HTTP request. Parts it delivered before the deadline are kept.
 *
 * @example
 * gw.get('/frontpage/{id}', pipe(fanOut([users, cart]), timeoutEach('800ms'), merge()))
 */
export function timeoutEach<T>(duration: Duration): OperatorFunction<Fan<T>, Fan<T>> {
  const ms = toMilliseconds(duration)
  return map(({ names, branches, labels }) =>
    fan(names, branches.map((branch, index) => withDeadline(branch, names[index]!, index, ms, labels?.[index])), labels),
  )
}

function withDeadline<T>(branch: Observable<Part<T>>, source: string, index: number, ms: number, label: string | undefined): Observable<Part<T>> {
  return new Observable<Part<T>>((subscriber) => {
    let work: Subscription | undefined
    // Scheduled before the branch starts, so a branch finishing exactly at the deadline is late.
    const deadline = asyncScheduler.schedule(() => {
      work?.unsubscribe()
      subscriber.next(failed(source, index, timeoutError(source, ms), label))
      subscriber.complete()
    }, ms)
    work = branch.subscribe({
      next: (part) => subscriber.next(part),
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    })
    return () => {
      deadline.unsubscribe()
      work?.unsubscribe()
    }
  })
}

function timeoutError(source: string, ms: number) {
  return new RxgateError(ErrorCodes.TIMEOUT, `source "${source}" did not answer within ${ms}ms`, { source, timeout: ms })
}
