/**
 * How deeply a decoded document may nest, by default: 10,000 levels, the limit of Go's
 * encoding/json (and so of KrakenD). `[]` and `{}` are one level, `[[]]` two; a bare string or
 * number none. Deeper documents are refused when decoded, so that nothing after the decoder
 * (operators, encoders, user code) meets data deep enough to exhaust the stack.
 */
export const DEFAULT_MAX_NESTING_DEPTH = 10_000

/**
 * A document nests deeper than its decoder's limit. A `SyntaxError`, so that code treating any
 * unreadable JSON as a bad request does so here too; the backend transport turns it into a
 * `BACKEND_TOO_DEEP` error naming the backend.
 */
export class NestingTooDeepError extends SyntaxError {
  override readonly name = 'NestingTooDeepError'
  constructor(readonly maxNestingDepth: number) {
    super(`the document nests deeper than ${maxNestingDepth} levels`)
  }
}

/**
 * Whether a JSON text this long (in bytes or characters) can nest deeper than `limit`: each level
 * takes two of them (`[` and `]`), so a shorter text cannot, and needs no check at all.
 */
export function canNestDeeperThan(length: number, limit: number): boolean {
  return length >= 2 * (limit + 1)
}

/**
 * Throws {@link NestingTooDeepError} when a value parsed by `JSON.parse` (plain objects and arrays)
 * nests deeper than `limit`. Level by level, with no recursion, so a value of any depth is checked
 * safely; it stops at the first level past the limit. Measured by perf/nesting-check.ts (figures
 * in json-decoder.ts): cheaper than scanning the text for brackets outside strings, and `for...in`
 * (the engine's cached key list, no allocation) three times cheaper than `Object.values`.
 */
export function checkNesting(value: unknown, limit: number): void {
  if (typeof value !== 'object' || value === null) return
  // `for...in` also lists enumerable keys inherited from Object.prototype, which a library may
  // have added: only then is each key checked to be the object's own (twice the cost).
  const inherited = hasEnumerableKeys(Object.prototype)
  let level: object[] = [value]
  for (let depth = 1; level.length > 0; depth++) {
    if (depth > limit) throw new NestingTooDeepError(limit)
    const next: object[] = []
    for (let j = 0; j < level.length; j++) {
      const container = level[j]!
      if (Array.isArray(container)) {
        for (let i = 0; i < container.length; i++) {
          const child: unknown = container[i]
          if (typeof child === 'object' && child !== null) next.push(child)
        }
      } else {
        for (const key in container) {
          if (inherited && !Object.hasOwn(container, key)) continue
          const child: unknown = (container as Record<string, unknown>)[key]
          if (typeof child === 'object' && child !== null) next.push(child)
        }
      }
    }
    level = next
  }
}

function hasEnumerableKeys(object: object): boolean {
  for (const _ in object) return true
  return false
}
