import { Observable } from 'rxjs'
import { runFan } from './fan-run.js'

/**
 * One source's contribution to a request's answer: its data, or the reason it has none.
 * `source` names the source (its key in `fanOut`), `index` is its position, so results can be
 * merged in source order whatever order they arrived in.
 */
export type Part<T = unknown> = Delivered<T> | Failed

export interface Delivered<T> {
  readonly source: string
  readonly index: number
  readonly ok: true
  readonly data: T
}

export interface Failed {
  readonly source: string
  readonly index: number
  readonly ok: false
  readonly error: unknown
  /** The backend the source calls, when it is labelled (see `labelSource`): what logs name it by. */
  readonly backend?: string | undefined
}

/**
 * One request's fan-out: an observable of every source's parts as they arrive, which also keeps
 * its branches apart (`branches`, one per source, in source order) so that operators such as
 * `timeoutEach` can act on each source alone.
 */
export type Fan<T = unknown> = Observable<Part<T>> & {
  /** The sources' names, in source order. */
  readonly names: readonly string[]
  /** One observable of parts per source, in source order. */
  readonly branches: readonly Observable<Part<T>>[]
  /** The sources' labels (see `labelSource`), in source order, when any has one. */
  readonly labels?: readonly (string | undefined)[] | undefined
}

/** Builds a `Fan` from its sources' names and branches: subscribing to it subscribes to every branch at once. */
export function fan<T>(names: readonly string[], branches: readonly Observable<Part<T>>[], labels?: readonly (string | undefined)[]): Fan<T> {
  const all = new Observable<Part<T>>((subscriber) => runFan({ names, branches }, subscriber))
  return Object.assign(all, { names, branches, labels })
}

export function delivered<T>(source: string, index: number, data: T): Delivered<T> {
  return { source, index, ok: true, data }
}

export function failed(source: string, index: number, error: unknown, backend?: string): Failed {
  return { source, index, ok: false, error, backend }
}
