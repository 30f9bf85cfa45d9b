import { map, type OperatorFunction } from 'rxjs'
import { ErrorCodes, RxgateError } from '../lib/errors.js'
import { setField } from './fields.js'
import type { Merged } from './merge.js'

/** When `staticData` adds its data, named as KrakenD's static proxy names its strategies. */
export type StaticStrategy = 'always' | 'success' | 'complete' | 'errored' | 'incomplete'

/**
 * Lura's tests, on a merged answer: its `err` is set when any source failed (so `errors` is not
 * empty), and its response is nil when every source failed, which leaves `complete` false.
 */
const MATCHES: Readonly<Record<StaticStrategy, (answer: Merged) => boolean>> = {
  // true
  always: () => true,
  // err == nil
  success: (answer) => answer.errors.length === 0,
  // err == nil && response != nil && response.IsComplete
  complete: (answer) => answer.errors.length === 0 && answer.complete,
  // err != nil
  errored: (answer) => answer.errors.length > 0,
  // response == nil || !response.IsComplete
  incomplete: (answer) => !answer.complete,
}

/**
 * Adds fixed data to each merged answer when its strategy says so (KrakenD's static proxy, a
 * stub for degraded answers or a mock for a backend not there yet). The static keys go at the
 * answer's top level and replace colliding ones. The strategies, on a `merge()` answer:
 *
 * - `always`: every answer.
 * - `success`: no source failed (`errors` is empty).
 * - `complete`: no source failed and the answer is `complete` (with `merge()`, the same as `success`).
 * - `errored`: some source failed (`errors` is not empty), including when all did.
 * - `incomplete`: the answer is not `complete` (with `merge()`, the same as `errored`).
 *
 * When it adds its data, the data counts as one more delivered part: `delivered` grows by one, so
 * an answer where every source failed is no longer a "nobody answered" error but a 200 with the
 * static data, as in KrakenD. `complete` and `errors` are kept: the answer still says it is
 * incomplete, and why. Data that is not a plain object (a lone source's array) cannot take keys
 * and passes unchanged. The data is copied once, here; the answer is a new object, its input is
 * never modified.
 *
 * @example
 * const frontpage = pipe(
 *   fanOut({ user: users, cart: carts }),
 *   merge(),
 *   staticData('errored', { defaults: { cart: [] } }),
 * ) // when a source fails: { ...what arrived, defaults: { cart: [] } }
 */
export function staticData(strategy: StaticStrategy, data: Readonly<Record<string, unknown>>): OperatorFunction<Merged, Merged> {
  const matches = typeof strategy === 'string' && Object.hasOwn(MATCHES, strategy) ? MATCHES[strategy] : undefined
  if (!matches) {
    throw new RxgateError(
      ErrorCodes.BAD_ARGUMENT,
      `staticData(): unknown strategy ${JSON.stringify(strategy)}: use "always", "success", "complete", "errored" or "incomplete"`,
    )
  }
  const entries = Object.entries(snapshot(data))
  return map((answer) => {
    if (!matches(answer) || !isPlainObject(answer.data)) return answer
    const merged = { ...answer.data }
    for (const [key, value] of entries) setField(merged, key, value)
    return { ...answer, data: merged, delivered: answer.delivered + 1 }
  })
}

/** A private copy, so that changing the caller's object later cannot change the answers. */
function snapshot(data: unknown): Record<string, unknown> {
  if (!isPlainObject(data)) {
    throw new RxgateError(ErrorCodes.BAD_ARGUMENT, 'staticData(): the data must be an object of the keys to add, like { defaults: { cart: [] } }')
  }
  try {
    return structuredClone(data)
  } catch (error) {
    throw new RxgateError(ErrorCodes.BAD_ARGUMENT, 'staticData(): the data must be plain data (JSON-like values, no functions)', {}, { cause: error })
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
