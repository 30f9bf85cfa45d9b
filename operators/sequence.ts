import { Observable, Subscription, asyncScheduler, map, type OperatorFunction } from 'rxjs'
import { ErrorCodes, RxgateError } from '../lib/errors.js'
import { toMilliseconds, type Duration } from './duration.js'
import type { Source, Sources } from './fan-out.js'
import { delivered, failed, type Fan, type Part } from './part.js'
import { callSource } from './per-request.js'
import { sourceLabel } from './source-label.js'

export interface SequenceOptions {
  /**
   * A deadline for the whole chain, counted from its start: parts delivered before it are kept,
   * the source then running fails with `RXGATE_ERR_TIMEOUT`, the ones after it are skipped.
   */
  readonly timeout?: Duration
}

/**
 * Calls the sources one after another for each request (KrakenD's sequential proxy), each
 * given a request built from the results so far, and emits a {@link Fan} of their parts, in
 * source order, which `merge()` joins as it joins `fanOut`'s. The first source gets the request;
 * before each next one, `next(request, previous)` builds its request from the original one and
 * the data of the sources before it (`previous[i]`, the last value source `i` delivered), as
 * the HTTP layer fills `{resp0_id}` in a URL.
 *
 * The chain stops at the first source that fails (errors, completes empty, or whose request
 * `next` cannot build): it becomes a failed part, and every source after it a failed part with
 * `RXGATE_ERR_SKIPPED`, without being called. Unsubscribing cancels the source running.
 *
 * Give the deadline here (`options.timeout`), not with `timeoutEach`: re-fanning the branches
 * would run them in parallel. Each branch of the fan, subscribed alone, runs the chain up to
 * its source and shows that source's parts only.
 *
 * @example
 * const booking = pipe(
 *   sequence(
 *     { hotel: hotels, destination: destinations },
 *     (req, [hotel]) => ({ ...req, params: { ...req.params, resp0_destination_id: String(hotel.destination_id) } }),
 *     { timeout: '2s' },
 *   ),
 *   merge(),
 * )
 */
export function sequence<R, T>(
  sources: Sources<R, T>,
  next: (request: R, previous: readonly T[]) => R,
  options: SequenceOptions = {},
): OperatorFunction<R, Fan<T>> {
  if (typeof sources !== 'object' || sources === null) {
    throw bad('sequence(): expected a list or a record of sources (operators from a request to results)')
  }
  const named: [string, Source<R, T>][] = Array.isArray(sources)
    ? sources.map((source, index) => [String(index), source])
    : Object.entries(sources as Record<string, Source<R, T>>)
  for (const [name, source] of named) {
    if (typeof source !== 'function') {
      throw bad(
        `sequence(): source "${name}" is not an operator: pass a function from a request observable to results, e.g. mergeMap((req) => fetch$(req))`,
      )
    }
  }
  if (typeof next !== 'function') {
    throw bad('sequence(): `next` must be a function building the next request from the request and the results so far')
  }
  const ms = options.timeout === undefined ? undefined : toMilliseconds(options.timeout)
  const chain: Chain<R, T> = { named, names: named.map(([name]) => name), labels: named.map(([, source]) => sourceLabel(source)), next, ms }
  return map((request) => sequenceFan(chain, request))
}

/** What every request's chain shares, computed once. */
interface Chain<R, T> {
  readonly named: readonly [string, Source<R, T>][]
  readonly names: readonly string[]
  readonly labels: readonly (string | undefined)[]
  readonly next: (request: R, previous: readonly T[]) => R
  readonly ms: number | undefined
}

function sequenceFan<R, T>(chain: Chain<R, T>, request: R): Fan<T> {
  const all = run(chain, request, chain.named.length - 1, undefined)
  let branches: readonly Observable<Part<T>>[] | undefined
  // Built when asked for only: merge() never does.
  return Object.defineProperties(all, {
    names: { value: chain.names, enumerable: true },
    labels: { value: chain.labels, enumerable: true },
    branches: {
      get: () => (branches ??= chain.names.map((_, index) => run(chain, request, index, index))),
      enumerable: true,
    },
  }) as Fan<T>
}

/**
 * One run of the chain, up to source `last`, emitting every part or only those of source `only`.
 * Written as one observable rather than a chain of operators, since it is built for every request.
 */
function run<R, T>(chain: Chain<R, T>, request: R, last: number, only: number | undefined): Observable<Part<T>> {
  const { named, names, labels, next, ms } = chain
  return new Observable<Part<T>>((subscriber) => {
    const emit = (part: Part<T>) => (only === undefined || part.index === only) && subscriber.next(part)
    const previous: T[] = []
    const calls = new Subscription()
    let running = 0
    // The source at `from` failed: it and every source after it are failed parts, and the run ends.
    const stop = (from: number, error: unknown) => {
      emit(failed(names[from]!, from, error, labels[from]))
      for (let index = from + 1; index <= last; index++) emit(failed(names[index]!, index, skippedError(names[index]!, names[from]!), labels[index]))
      subscriber.complete()
    }
    const call = (index: number): void => {
      if (index > last) return subscriber.complete()
      running = index
      const [name, source] = named[index]!
      let empty = true
      try {
        const input = index === 0 ? request : next(request, previous.slice())
        calls.add(
          callSource(source, input).subscribe({
            next: (data) => {
              empty = false
              previous[index] = data
              emit(delivered(name, index, data))
            },
            error: (error: unknown) => stop(index, error),
            complete: () => (empty ? stop(index, emptyError(name)) : call(index + 1)),
          }),
        )
      } catch (error) {
        // `next` or the source threw before an observable was there.
        stop(index, error)
      }
    }
    // Scheduled before the first call, like timeoutEach: a source ending exactly at the deadline is late.
    const deadline =
      ms === undefined
        ? undefined
        : asyncScheduler.schedule(() => {
            calls.unsubscribe()
            stop(running, timeoutError(names[running]!, ms))
          }, ms)
    call(0)
    return () => {
      deadline?.unsubscribe()
      calls.unsubscribe()
    }
  })
}

function skippedError(source: string, after: string) {
  return new RxgateError(ErrorCodes.SKIPPED, `source "${source}" was not called: source "${after}" before it in the sequence failed`, {
    source,
    after,
  })
}

function timeoutError(source: string, ms: number) {
  return new RxgateError(ErrorCodes.TIMEOUT, `source "${source}" was still running when the sequence's ${ms}ms deadline passed`, {
    source,
    timeout: ms,
  })
}

function emptyError(name: string) {
  return new RxgateError(ErrorCodes.EMPTY, `source "${name}" completed without a value`, { source: name })
}

function bad(message: string) {
  return new RxgateError(ErrorCodes.BAD_ARGUMENT, message)
}
