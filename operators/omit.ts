import { map, type OperatorFunction } from 'rxjs'
import { checkPaths } from './arguments.js'
import { fieldTree, omitFields } from './fields.js'

/**
 * Removes the listed fields from each value and keeps everything else (a deny-list, KrakenD's
 * `deny`). Paths are dot paths (`user.password`) and walk through arrays (`items.secret` removes
 * `secret` from every item). Values that are not objects or arrays pass through unchanged, and an
 * empty list changes nothing. The input is never modified.
 *
 * @example
 * of({ id: 1, user: { name: 'Ada', password: 'x' } })
 *   .pipe(omit(['user.password']))
 *   .subscribe(console.log)
 * // { id: 1, user: { name: 'Ada' } }
 */
export function omit(paths: readonly string[]): OperatorFunction<unknown, unknown> {
  // Compiled once here, not per value.
  const tree = fieldTree(checkPaths('omit', paths))
  return map((value) => omitFields(value, tree))
}
