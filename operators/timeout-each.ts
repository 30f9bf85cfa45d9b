import { Observable, asyncScheduler, map, type OperatorFunction, type Subscriber, type Subscription, type TeardownLogic } from 'rxjs'
import { ErrorCodes, RxgateError } from '../lib/errors.js'
import { toMilliseconds, type Duration } from './duration.js'
import { runFan, type FanDeadline } from './fan-run.js'
import { FanStream } from './fan-stream.js'
import { failed, type Fan, type Part } from './part.js'

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
  const deadlined = (parts: Fan<T>): Fan<T> => new DeadlineFan(parts, ms)
  // Right after fanOut, folded into its step: one operator per request instead of two.
  return (fans) => (fans instanceof FanStream ? (fans as FanStream<unknown, T>).andThen(deadlined) : fans.pipe(map(deadlined)))
}

/**
 * A fan whose sources share one deadline: subscribed whole (as `merge()` does), it runs one timer
 * for all its branches rather than one per branch, since it is built for every request. Its
 * `branches`, for operators that take them one by one, each get their own deadline, made only
 * when asked for.
 */
class DeadlineFan<T> extends Observable<Part<T>> implements Fan<T>, FanDeadline<T> {
  private separate: readonly Observable<Part<T>>[] | undefined

  constructor(
    readonly inner: Fan<T>,
    readonly ms: number,
  ) {
    // rxjs calls the subscribe function with the observable as `this`: no closure per request.
    super(subscribeWithin as (this: Observable<Part<T>>, subscriber: Subscriber<Part<T>>) => TeardownLogic)
  }

  /** The part a branch still running at the deadline becomes. */
  late(index: number): Part<T> {
    const source = this.inner.names[index]!
    return failed(source, index, timeoutError(source, this.ms), this.inner.labels?.[index])
  }

  get names(): readonly string[] {
    return this.inner.names
  }

  get labels(): Fan<T>['labels'] {
    return this.inner.labels
  }

  get branches(): readonly Observable<Part<T>>[] {
    const { inner, ms } = this
    return (this.separate ??= inner.branches.map((branch, index) => withDeadline(branch, inner.names[index]!, index, ms, inner.labels?.[index])))
  }
}

/** The fan's branches under one deadline: one timer for them all (see `runFan`). */
function subscribeWithin<T>(this: DeadlineFan<T>, subscriber: Subscriber<Part<T>>): TeardownLogic {
  return runFan(this.inner, subscriber, this)
}

/** One branch alone with its own deadline: for an operator that subscribes to the branches one by one. */
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
