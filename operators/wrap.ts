import { map, type OperatorFunction } from 'rxjs'
import { checkKey } from './arguments.js'

/**
 * Makes every value an object: a value that is not a plain object (an array, a string, a number,
 * `null`, ...) is put under `key`; a plain object passes through unchanged. This is KrakenD's
 * `is_collection`, which puts a backend's array under `collection` so it can be merged with
 * the other backends' objects.
 *
 * @example
 * of([{ id: 1 }, { id: 2 }], { id: 3 }).pipe(wrap('posts')).subscribe(console.log)
 * // { posts: [{ id: 1 }, { id: 2 }] }
 * // { id: 3 }
 */
export function wrap<T>(key = 'collection'): OperatorFunction<T, Record<string, unknown>> {
  checkKey('wrap', key)
  return map((value) => (isPlainObject(value) ? value : { [key]: value }))
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
