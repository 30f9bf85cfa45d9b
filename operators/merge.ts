import { Observable, mergeMap, type OperatorFunction, type Subscriber, type TeardownLogic } from 'rxjs'
import { ErrorCodes, RxgateError } from '../lib/errors.js'
import { FanStream } from './fan-stream.js'
import { setField } from './fields.js'
import { failed, type Failed, type Fan, type Part } from './part.js'

/**
 * What marks a {@link Merged} answer: renderers tell an answer from plain data by it, never by its
 * shape (a backend document may well have `complete`, `errors` and `data` keys). A registered
 * symbol, so that two copies of rxgate in one process agree; a spread copy keeps it.
 */
export const MERGED: unique symbol = Symbol.for('rxgate.merged') as never

/** One request's answer, joined from the parts of its sources. Made by {@link merged}. */
export interface Merged<T = Record<string, unknown>> {
  readonly [MERGED]: true
  /** The sources' data merged into one object, in source order (a later source wins a shared key). */
  readonly data: T
  /** True only when every source delivered without error. */
  readonly complete: boolean
  /** How many parts delivered data: 0 with `complete` false means every source failed. */
  readonly delivered: number
  /** The failed parts, in source order, for the caller to log or report. */
  readonly errors: readonly Failed[]
}

/**
 * Joins the parts of each {@link Fan} into one {@link Merged} answer once every source has
 * finished. Object data is merged shallowly in source order, whatever order the parts arrived in.
 * A lone source may deliver any value (an array, a string) and it becomes the data as it is; with
 * several sources a non-object value cannot be merged and counts as failed: `wrap` it first.
 *
 * @example
 * gw.get('/frontpage/{id}', pipe(fanOut([users, cart]), timeoutEach('800ms'), merge()))
 * // answers with { data: { name: 'Ada', items: [...] }, complete: true, errors: [] }
 */
export function merge<T = Record<string, unknown>>(): OperatorFunction<Fan, Merged<T>> {
  const join = (parts: Fan): Observable<Merged<T>> => new Joined<T>(parts)
  // Right after fanOut (and timeoutEach), folded into its step: one operator per request instead of two or three.
  return (fans) => {
    if (!(fans instanceof FanStream)) return fans.pipe(mergeMap(join))
    const { requests, make } = fans as FanStream<unknown, unknown>
    return requests.pipe(mergeMap((request) => join(make(request))))
  }
}

/** One fan's merged answer, once every part has arrived. */
class Joined<T> extends Observable<Merged<T>> {
  constructor(readonly parts: Fan) {
    // rxjs calls the subscribe function with the observable as `this`: no closure per request.
    super(subscribeJoined as (this: Observable<Merged<T>>, subscriber: Subscriber<Merged<T>>) => TeardownLogic)
  }
}

function subscribeJoined<T>(this: Joined<T>, subscriber: Subscriber<Merged<T>>): TeardownLogic {
  const parts = this.parts
  const arrived: Part[] = []
  return parts.subscribe({
    next: (part) => arrived.push(part),
    error: (error: unknown) => subscriber.error(error),
    complete: () => {
      subscriber.next(fold<T>(arrived, parts.names.length, parts.labels))
      subscriber.complete()
    },
  })
}

/**
 * A merged answer from its fields, marked as one. For operators that make answers of their own
 * (a cache, a fallback); to change one, spread it: `{ ...answer, data }` keeps the mark.
 *
 * @example
 * merged({ data: { name: 'Ada' }, complete: false, delivered: 1, errors: [failed('cart', 1, error)] })
 */
export function merged<T>(fields: Omit<Merged<T>, typeof MERGED>): Merged<T> {
  return { [MERGED]: true, data: fields.data, complete: fields.complete, delivered: fields.delivered, errors: fields.errors }
}

/** Whether a value is a {@link Merged} answer (made by `merge()` or {@link merged}), rather than plain data. */
export function isMerged(value: unknown): value is Merged<unknown> {
  return typeof value === 'object' && value !== null && (value as Partial<Merged<unknown>>)[MERGED] === true
}

function fold<T>(arrived: Part[], sources: number, labels: Fan['labels']): Merged<T> {
  const ordered = arrived.sort((a, b) => a.index - b.index)
  const errors: Failed[] = []
  let delivered = 0
  let data: unknown = {}
  for (const part of ordered) {
    if (!part.ok) {
      errors.push(part)
      continue
    }
    // A non-object that cannot be merged counts as failed, so it is not counted as delivered.
    // A lone part is the answer as it is (nothing to merge it with: no copy).
    if (isPlainObject(part.data)) data = ordered.length === 1 ? part.data : assign(isPlainObject(data) ? data : {}, part.data)
    else if (sources === 1) data = part.data
    else {
      errors.push(failed(part.source, part.index, notAnObject(part.source), labels?.[part.index]))
      continue
    }
    delivered++
  }
  return merged({ data: data as T, complete: errors.length === 0, delivered, errors })
}

/** Like `Object.assign`, but a `__proto__` key (own, from JSON) stays a field instead of becoming the prototype. */
function assign(target: Record<string, unknown>, source: Record<string, unknown>) {
  for (const key of Object.keys(source)) setField(target, key, source[key])
  return target
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function notAnObject(source: string) {
  return new RxgateError(
    ErrorCodes.NOT_AN_OBJECT,
    `source "${source}" delivered a value that is not an object and cannot be merged with the others: wrap it under a key`,
    { source },
  )
}
