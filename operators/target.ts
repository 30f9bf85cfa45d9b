import { map, type OperatorFunction } from 'rxjs'
import { checkPath } from './arguments.js'

/**
 * Keeps only the object found at a dot path, dropping the envelope around it (KrakenD's
 * `target`): `target('data')` turns `{ apiVersion: '2.0', data: { items: [] } }` into
 * `{ items: [] }`. As in KrakenD, when the path is missing, or leads through or to something
 * that is not an object (an array, a string, `null`), the result is `{}`. The found object is
 * returned as it is, not copied.
 *
 * @example
 * of({ status: 'ok', data: { user: { id: 1, name: 'Ada' } } })
 *   .pipe(target('data.user'))
 *   .subscribe(console.log)
 * // { id: 1, name: 'Ada' }
 */
export function target(path: string): OperatorFunction<unknown, Record<string, unknown>> {
  // Split once here, not per value.
  const keys = checkPath('target', path).split('.')
  return map((value) => {
    let node: unknown = value
    for (const key of keys) {
      // Own fields only: 'constructor' or '__proto__' must not reach into the prototype.
      if (!isPlainObject(node) || !Object.hasOwn(node, key)) return {}
      node = node[key]
    }
    return isPlainObject(node) ? node : {}
  })
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
