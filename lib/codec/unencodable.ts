import { ErrorCodes, RxgateError } from '../errors.js'

/**
 * The `RENDER` errors of the encoders, for answers that no text can carry: a value that contains
 * itself, a BigInt, or data nested deeper than an encoder's library can go. Each names the value
 * by its path in the answer, so that whoever wrote the pipeline can find it.
 */

/** A path in the answer, for messages: `items.3.total`; empty for the answer itself. */
export type ValuePath = readonly (string | number)[]

function subject(path: ValuePath): string {
  return path.length === 0 ? 'the answer' : `the value at "${path.join('.')}"`
}

/** The value at `path` is the container at `ancestor` (a prefix of it) again: a cycle. */
export function cyclicValue(format: string, path: ValuePath, ancestor: ValuePath): RxgateError {
  return new RxgateError(
    ErrorCodes.RENDER,
    `the answer cannot be written as ${format}: it is cyclic: ${subject(path)} is ${subject(ancestor)} again, which contains it; ` +
      `give the pipeline plain data, copied rather than linked back to itself`,
    { format, path: path.join('.'), ancestor: ancestor.join('.') },
  )
}

/** A BigInt at `path`, which none of the answer formats has a type for. */
export function bigIntValue(format: string, path: ValuePath): RxgateError {
  return new RxgateError(
    ErrorCodes.RENDER,
    `the answer cannot be written as ${format}: ${subject(path)} is a BigInt, which ${format} has no type for; ` +
      `convert it to a number or a string in the pipeline`,
    { format, path: path.join('.') },
  )
}

/** The encoder's library gave up (too deep, a value it has no form for): `cause` says how. */
export function unencodable(format: string, why: string, cause: unknown): RxgateError {
  return new RxgateError(ErrorCodes.RENDER, `the answer cannot be written as ${format}: ${why}`, { format }, { cause })
}

/**
 * Throws {@link cyclicValue} or {@link bigIntValue} for the first cycle or BigInt in the arrays
 * and objects of `value`, walked with an explicit stack (no recursion, so any depth is safe).
 * Objects with a `toJSON` (a Date) are not looked into: the encoders write what it returns.
 */
export function checkEncodable(value: unknown, format: string): void {
  if (typeof value === 'bigint') throw bigIntValue(format, [])
  if (!isWalked(value)) return
  // Per open container: the container, its keys (undefined for an array), the next index.
  const containers: object[] = [value]
  const keys: (string[] | undefined)[] = [Array.isArray(value) ? undefined : Object.keys(value)]
  const indices: number[] = [0]
  const path: (string | number)[] = []
  const open = new Set<object>([value])
  while (containers.length > 0) {
    const top = containers.length - 1
    const container = containers[top]!
    const names = keys[top]
    const index = indices[top]!
    const length = names ? names.length : (container as unknown[]).length
    if (index >= length) {
      open.delete(container)
      containers.pop()
      keys.pop()
      indices.pop()
      path.pop()
      continue
    }
    indices[top] = index + 1
    const key = names ? names[index]! : index
    const child = (container as Record<string | number, unknown>)[key]
    if (typeof child === 'bigint') throw bigIntValue(format, [...path, key])
    if (!isWalked(child)) continue
    if (open.has(child)) throw cyclicValue(format, [...path, key], path.slice(0, containers.indexOf(child)))
    open.add(child)
    containers.push(child)
    keys.push(Array.isArray(child) ? undefined : Object.keys(child))
    indices.push(0)
    path.push(key)
  }
}

/** Arrays and objects, but not those an encoder replaces by their `toJSON`. */
function isWalked(value: unknown): value is object {
  return typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON !== 'function'
}
