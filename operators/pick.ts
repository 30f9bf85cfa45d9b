import { map, type OperatorFunction } from 'rxjs'
import { ErrorCodes, RxgateError } from '../lib/errors.js'
import { checkPaths } from './arguments.js'
import { fieldTree, pickFields } from './fields.js'

/**
 * Keeps only the listed fields of each value (an allow-list, KrakenD's `allow`). Paths are dot
 * paths (`address.city`) and walk through arrays (`items.id` keeps `id` in every item). A path
 * that is missing is simply absent from the result; values that are not objects or arrays pass
 * through unchanged. The input is never modified.
 *
 * @example
 * of({ id: 1, name: 'Ada', address: { city: 'London', zip: 'N1' } })
 *   .pipe(pick(['name', 'address.city']))
 *   .subscribe(console.log)
 * // { name: 'Ada', address: { city: 'London' } }
 */
export function pick(paths: readonly string[]): OperatorFunction<unknown, unknown> {
  const checked = checkPaths('pick', paths)
  // An empty allow-list would turn every object into {}: certainly a mistake, so say it now.
  if (checked.length === 0) {
    throw new RxgateError(ErrorCodes.BAD_ARGUMENT, 'pick(): the list of paths is empty, so every field would be dropped: list at least one')
  }
  // Compiled once here, not per value.
  const tree = fieldTree(checked)
  return map((value) => pickFields(value, tree))
}
