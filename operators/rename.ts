import { map, type OperatorFunction } from 'rxjs'
import { ErrorCodes, RxgateError } from '../lib/errors.js'
import { checkKey } from './arguments.js'
import { setField } from './fields.js'

/**
 * Renames top-level keys of each object (KrakenD's `mapping`): `{ email: 'personal_email' }`.
 * A renamed key keeps its place in the key order, a key that is missing is simply absent, and
 * values that are not plain objects pass through unchanged. Keys are taken literally, dots
 * included. Renames apply all at once, so `{ a: 'b', b: 'a' }` swaps two keys; a renamed key
 * replaces a field that already had the new name, as in KrakenD. The input is never modified.
 *
 * @example
 * of({ id: 1, email: 'ada@example.com' })
 *   .pipe(rename({ email: 'personal_email' }))
 *   .subscribe(console.log)
 * // { id: 1, personal_email: 'ada@example.com' }
 */
export function rename(mapping: Readonly<Record<string, string>>): OperatorFunction<unknown, unknown> {
  const renames = compile(mapping)
  // New name -> old name, to know when an existing field is about to be replaced by a renamed one.
  const origins = new Map([...renames].map(([from, to]) => [to, from]))
  return map((value) => {
    if (!isPlainObject(value)) return value
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value)) {
      const to = renames.get(key)
      if (to !== undefined) setField(out, to, value[key])
      else {
        // An untouched field whose name a present field is renamed to: the renamed one wins.
        const from = origins.get(key)
        if (from === undefined || !Object.hasOwn(value, from)) setField(out, key, value[key])
      }
    }
    return out
  })
}

function compile(mapping: Readonly<Record<string, string>>): ReadonlyMap<string, string> {
  if (typeof mapping !== 'object' || mapping === null || Array.isArray(mapping)) {
    throw new RxgateError(ErrorCodes.BAD_ARGUMENT, 'rename(): expected an object of old key -> new key, like { email: "personal_email" }')
  }
  const renames = new Map<string, string>()
  const taken = new Map<string, string>()
  for (const [from, to] of Object.entries(mapping)) {
    checkKey('rename', from, 'old key')
    checkKey('rename', to, `new key for "${from}"`)
    // Two keys renamed to one name: which one survives would depend on the data. Refuse it.
    const other = taken.get(to)
    if (other !== undefined) {
      throw new RxgateError(ErrorCodes.BAD_ARGUMENT, `rename(): "${other}" and "${from}" are both renamed to "${to}": give them different names`)
    }
    taken.set(to, from)
    renames.set(from, to)
  }
  return renames
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
