import { Observable, type Observer, type OperatorFunction, type Subscriber, type Subscription, type TeardownLogic } from 'rxjs'
import { ErrorCodes, RxgateError } from '../lib/errors.js'
import { runFan, type DirectFan } from './fan-run.js'
import { FanStream } from './fan-stream.js'
import { delivered, failed, type Fan, type Part } from './part.js'
import { callSource } from './per-request.js'
import { sourceLabel } from './source-label.js'

/** A source: an operator from a request to its result(s). A function `(req) => Observable` becomes one with `mergeMap(fn)`. */
export type Source<R, T> = OperatorFunction<R, T>

/** Sources to fan out to: a list (named by position, `'0'`, `'1'`, ...) or a record (named by key, in key order). */
export type Sources<R, T> = readonly Source<R, T>[] | Readonly<Record<string, Source<R, T>>>

/**
 * For each incoming request, calls every source in parallel and emits a {@link Fan}: each source's
 * results as they arrive, tagged with the source's name and position. A source that errors or
 * completes without a value becomes a failed part, never a stream error, so one broken source
 * cannot take the others down. Unsubscribing cancels every source still running.
 *
 * @example
 * // Built once, at start-up; applied to each request, it calls both sources at once.
 * const frontpage = pipe(
 *   fanOut({ user: users, cart: carts }),
 *   timeoutEach('800ms'),
 *   merge(),
 * ) // one merged answer per request
 * gw.get('/frontpage/{id}', frontpage)
 */
export function fanOut<R, T>(sources: Sources<R, T>): OperatorFunction<R, Fan<T>>
/** Sources of different result types: their parts are `unknown` until merged. */
export function fanOut<R>(sources: Sources<R, unknown>): OperatorFunction<R, Fan<unknown>>
export function fanOut<R, T>(sources: Sources<R, T>): OperatorFunction<R, Fan<T>> {
  if (typeof sources !== 'object' || sources === null) {
    throw new RxgateError(ErrorCodes.BAD_ARGUMENT, 'fanOut(): expected a list or a record of sources (operators from a request to results)')
  }
  const named: [string, Source<R, T>][] = Array.isArray(sources)
    ? sources.map((source, index) => [String(index), source])
    : Object.entries(sources as Record<string, Source<R, T>>)
  // Checked now: called per request, a non-function would only show up as a failed part on every request.
  for (const [name, source] of named) {
    if (typeof source !== 'function') {
      throw new RxgateError(
        ErrorCodes.BAD_ARGUMENT,
        `fanOut(): source "${name}" is not an operator: pass a function from a request observable to results, e.g. mergeMap((req) => fetch$(req))`,
      )
    }
  }
  const names = named.map(([name]) => name)
  const labels = named.some(([, source]) => sourceLabel(source) !== undefined) ? named.map(([, source]) => sourceLabel(source)) : undefined
  const calls = named.map(([, source]) => source)
  const make = (request: R): Fan<T> => new SourceFan(request, names, calls, labels)
  return (requests) => new FanStream(requests, make)
}

/**
 * One request's fan-out over its sources. Subscribed whole (as `timeoutEach` and `merge()` do),
 * each source's results go straight to the fan's subscriber (see `runFan`), without an
 * observable per source; its `branches`, for operators that take them one by one, are made only
 * when asked for.
 */
class SourceFan<R, T> extends Observable<Part<T>> implements DirectFan<T> {
  private separate: readonly Observable<Part<T>>[] | undefined

  constructor(
    private readonly request: R,
    readonly names: readonly string[],
    private readonly sources: readonly Source<R, T>[],
    readonly labels: readonly (string | undefined)[] | undefined,
  ) {
    // rxjs calls the subscribe function with the observable as `this`: no closure per request.
    super(subscribeWhole as (this: Observable<Part<T>>, subscriber: Subscriber<Part<T>>) => TeardownLogic)
  }

  get branches(): readonly Observable<Part<T>>[] {
    return (this.separate ??= this.names.map((_, index) => new Observable<Part<T>>((subscriber) => this.runBranch(index, subscriber))))
  }

  /**
   * Calls source `index` with the request: its results as delivered parts, an error or an empty
   * completion as a failed part, then `complete`.
   */
  runBranch(index: number, observer: Observer<Part<T>>): Subscription | undefined {
    const name = this.names[index]!
    const label = this.labels?.[index]
    let empty = true
    const fail = (error: unknown) => {
      observer.next(failed(name, index, error, label))
      observer.complete()
    }
    try {
      return callSource(this.sources[index]!, this.request).subscribe({
        next: (data) => {
          empty = false
          observer.next(delivered(name, index, data))
        },
        error: fail,
        complete: () => (empty ? fail(emptyError(name)) : observer.complete()),
      })
    } catch (error) {
      // A source that throws when called, before it returns an observable.
      fail(error)
      return undefined
    }
  }
}

function subscribeWhole<R, T>(this: SourceFan<R, T>, subscriber: Subscriber<Part<T>>): TeardownLogic {
  return runFan(this, subscriber)
}

function emptyError(name: string) {
  return new RxgateError(ErrorCodes.EMPTY, `source "${name}" completed without a value`, { source: name })
}
