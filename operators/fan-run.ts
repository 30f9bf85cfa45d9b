import { asyncScheduler, type Observer, type Subscriber, type Subscription, type TeardownLogic } from 'rxjs'
import type { Fan, Part } from './part.js'

/**
 * A fan that can run one of its branches straight into an observer, without an observable and a
 * subscriber of its own in between: `fanOut`'s fans do, since they are built for every request.
 * The observer gets the branch's parts, then exactly one `complete` (or an `error`).
 */
export interface DirectFan<T> extends Fan<T> {
  runBranch(index: number, observer: Observer<Part<T>>): Subscription | undefined
}

/** A shared deadline for every branch of a fan: `late(index)` is the part a branch still running then becomes. */
export interface FanDeadline<T> {
  readonly ms: number
  readonly late: (index: number) => Part<T>
}

/**
 * Subscribes `subscriber` to every branch of `fan` at once, in source order, and completes it
 * when all have completed. With a deadline, one timer serves all branches: started before them,
 * so a branch finishing exactly at the deadline is late; when it passes, each branch still
 * running is torn down and its `late` part emitted, in source order. A stream error from any
 * branch ends the whole fan (the teardown ends the others and the timer).
 *
 * @example
 * // the subscribe function of a fan
 * new Observable<Part>((subscriber) => runFan(parts, subscriber, { ms: 800, late: (index) => failed(parts.names[index]!, index, timedOut) }))
 */
export function runFan<T>(fan: Pick<Fan<T>, 'names' | 'branches'>, subscriber: Subscriber<Part<T>>, deadline?: FanDeadline<T>): TeardownLogic {
  // A direct fan's `branches` are made only when asked for: not here.
  const direct = typeof (fan as Partial<DirectFan<T>>).runBranch === 'function' ? (fan as DirectFan<T>) : undefined
  const branches = direct === undefined ? fan.branches : undefined
  const count = branches === undefined ? fan.names.length : branches.length
  if (count === 0) {
    subscriber.complete()
    return undefined
  }
  const work: (Subscription | undefined)[] = new Array<Subscription | undefined>(count)
  const finished = new Uint8Array(count)
  let running = count
  const timer =
    deadline === undefined
      ? undefined
      : asyncScheduler.schedule(() => {
          for (let index = 0; index < count && !subscriber.closed; index++) {
            if (finished[index] === 1) continue
            finished[index] = 1
            work[index]?.unsubscribe()
            subscriber.next(deadline.late(index))
          }
          subscriber.complete()
        }, deadline.ms)
  const next = (part: Part<T>) => subscriber.next(part)
  const error = (error: unknown) => subscriber.error(error)
  for (let index = 0; index < count && !subscriber.closed; index++) {
    const observer: Observer<Part<T>> = {
      next,
      error,
      complete: () => {
        if (finished[index] === 1) return
        finished[index] = 1
        if (--running === 0) subscriber.complete()
      },
    }
    work[index] = branches === undefined ? direct!.runBranch(index, observer) : branches[index]!.subscribe(observer)
  }
  return () => {
    timer?.unsubscribe()
    for (const branch of work) branch?.unsubscribe()
  }
}
