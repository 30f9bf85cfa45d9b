import { bigIntValue, cyclicValue, unencodable } from './unencodable.js'

/**
 * `JSON.stringify(value)`, for any depth: the same text, made with an explicit stack instead of
 * one native call per level, which overflows the stack from about 4,000 levels (fewer when called
 * deep inside an RxJS pipeline). `JSON.stringify` stays the fast path: this serializer is only
 * called when it throws (see `stringifyJson`).
 *
 * Same rules as the language's: `toJSON` (with the key as argument), boxed primitives unwrapped,
 * `undefined`, functions and symbols dropped in objects and `null` in arrays (and the result
 * `undefined` when the value itself is one), non-finite numbers as `null`, `-0` as `0`, strings
 * escaped by `JSON.stringify` itself (lone surrogates as `\udxxx`). Where the language throws a
 * `TypeError`, this throws a `RENDER` error naming the value's path: a cycle, or a BigInt.
 */
export function stringifyIteratively(value: unknown): string {
  const root = jsonValue(value, '', [])
  if (!isContainer(root)) return leaf(root, [])!
  // Per open container: the container, its keys (undefined for an array), its length, the next index.
  const containers: object[] = []
  const keys: (string[] | undefined)[] = []
  const lengths: number[] = []
  const indices: number[] = []
  const path: (string | number)[] = []
  const open = new Set<object>()
  let out = ''
  const enter = (container: object): void => {
    if (open.has(container)) throw cyclicValue('JSON', path, path.slice(0, containers.indexOf(container)))
    open.add(container)
    containers.push(container)
    if (Array.isArray(container)) {
      keys.push(undefined)
      lengths.push(container.length)
      out += '['
    } else {
      const names = Object.keys(container)
      keys.push(names)
      lengths.push(names.length)
      out += '{'
    }
    indices.push(0)
  }
  try {
    enter(root)
    // Whether the innermost open container has a member written yet.
    let written = false
    while (containers.length > 0) {
      const top = containers.length - 1
      const container = containers[top]!
      const names = keys[top]
      const index = indices[top]!
      if (index >= lengths[top]!) {
        out += names ? '}' : ']'
        open.delete(container)
        containers.pop()
        keys.pop()
        lengths.pop()
        indices.pop()
        path.pop()
        // The container just closed was a member of its parent: the next one needs a comma.
        written = true
        continue
      }
      indices[top] = index + 1
      const key = names ? names[index]! : String(index)
      path.push(names ? key : index)
      const member = jsonValue((container as Record<string, unknown>)[key], key, path)
      const comma = written ? ',' : ''
      if (isContainer(member)) {
        out += names ? `${comma}${JSON.stringify(key)}:` : comma
        enter(member)
        written = false
        continue
      }
      const text = leaf(member, path)
      path.pop()
      if (text === undefined) {
        // Dropped from an object; `null` in an array.
        if (names) continue
        out += `${comma}null`
      } else out += names ? `${comma}${JSON.stringify(key)}:${text}` : comma + text
      written = true
    }
  } catch (error) {
    if (error instanceof RangeError && /string length/i.test(error.message)) throw unencodable('JSON', 'it is too large for one string', error)
    throw error
  }
  return out
}

/** The value as JSON sees it: after `toJSON`, with boxed primitives unwrapped. */
function jsonValue(value: unknown, key: string, path: readonly (string | number)[]): unknown {
  const type = typeof value
  if ((type === 'object' && value !== null) || type === 'function' || type === 'bigint') {
    const toJSON = (value as { toJSON?: unknown }).toJSON
    if (typeof toJSON === 'function') value = toJSON.call(value, key) as unknown
  }
  if (typeof value !== 'object' || value === null) return value
  if (value instanceof Number) return Number(value)
  if (value instanceof String) return String(value)
  if (value instanceof Boolean) return Boolean.prototype.valueOf.call(value)
  if (value instanceof BigInt) throw bigIntValue('JSON', path)
  return value
}

/** An array or an object that JSON writes with members (functions are not). */
function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null
}

/** The text of a value that is not a container; undefined for what JSON leaves out. */
function leaf(value: unknown, path: readonly (string | number)[]): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null'
    case 'boolean':
      return value ? 'true' : 'false'
    case 'bigint':
      throw bigIntValue('JSON', path)
    case 'object':
      return 'null'
    default:
      return undefined
  }
}
