import { map, type OperatorFunction } from 'rxjs'
import { checkKey } from './arguments.js'

/**
 * Puts each value under one key (KrakenD's `group`), so that sources with colliding field names
 * (every backend has an `id`) can be merged side by side.
 *
 * @example
 * of({ id: 7, items: 3 }).pipe(group('cart')).subscribe(console.log)
 * // { cart: { id: 7, items: 3 } }
 */
export function group<T>(key: string): OperatorFunction<T, Record<string, T>> {
  checkKey('group', key)
  // A computed key defines an own field, even for '__proto__', so nothing touches the prototype.
  // Typed Record<string, T> rather than Record<K, T>: sources grouped under different keys then
  // share one type, which fanOut needs to infer its part type from a list of them.
  return map((value) => ({ [key]: value }))
}
