import build, { type Schema } from 'fast-json-stringify'
import { Ajv } from 'ajv'
import { stringifyIteratively } from './json-stringify.js'

/** Turns a response body into JSON text. */
export type Encode = (value: unknown) => string

export type { Schema }

const ajv = new Ajv({ strict: false, coerceTypes: false, useDefaults: false, removeAdditional: false })

/**
 * `JSON.stringify` that never overflows the stack and never throws a `TypeError`: the native
 * serializer first (the fast path, and all the cost there is for ordinary data); when it throws,
 * the iterative one (`stringifyIteratively`), which writes the same text for data of any depth,
 * or throws a `RENDER` error naming the cyclic or BigInt value that no JSON can carry.
 */
export const stringifyJson: Encode = (value) => {
  try {
    return JSON.stringify(value)
  } catch {
    // A RangeError (too deep for the native recursion) or a TypeError (a cycle, a BigInt).
    return stringifyIteratively(value)
  }
}

/**
 * Compiles, at start-up, a JSON encoder. Without a schema: {@link stringifyJson}. For responses of
 * a known shape (a JSON Schema): values that match the schema go through a fast-json-stringify
 * serializer; anything else goes through `JSON.stringify`. The schema check is what keeps the fast
 * path honest: fast-json-stringify would drop undeclared keys or coerce mistyped values, and a
 * value that needs either does not pass the check. Measured on a 4-key front-page document:
 * 0.39 us against 0.86 us for `JSON.stringify`, the check included. Either way, data too deep for
 * the check or the serializers' recursion (a recursive `$ref`), a cycle or a BigInt ends as with
 * {@link stringifyJson}: the same text made iteratively, or a `RENDER` error.
 *
 * @example
 * const encode = jsonEncoder({ type: 'object', properties: { name: { type: 'string' } } })
 * encode({ name: 'Ada', age: 36 }) // '{"name":"Ada","age":36}': not declared, not dropped
 */
export function jsonEncoder(schema?: Schema): Encode {
  if (!schema) return stringifyJson
  const matches = ajv.compile(schema as object)
  const serialize = build(keepUndeclared(schema))
  return (value) => {
    try {
      return matches(value) ? serialize(value) : JSON.stringify(value)
    } catch {
      return stringifyIteratively(value)
    }
  }
}

type Node = Record<string, unknown>
const SCHEMA_LISTS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const
const SCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'definitions'] as const

/**
 * A copy of the schema in which objects that do not say otherwise keep undeclared keys: JSON
 * Schema allows them by default, fast-json-stringify drops them by default.
 */
function keepUndeclared<S>(schema: S): S {
  if (typeof schema !== 'object' || schema === null) return schema
  const node: Node = { ...(schema as Node) }
  for (const key of SCHEMA_MAPS) {
    const map = node[key] as Node | undefined
    if (map) node[key] = Object.fromEntries(Object.entries(map).map(([name, sub]) => [name, keepUndeclared(sub)]))
  }
  for (const key of SCHEMA_LISTS) {
    const list = node[key] as unknown[] | undefined
    if (Array.isArray(list)) node[key] = list.map(keepUndeclared)
  }
  node.items = Array.isArray(node.items) ? node.items.map(keepUndeclared) : keepUndeclared(node.items)
  if (node.items === undefined) delete node.items
  if (typeof node.additionalProperties === 'object') node.additionalProperties = keepUndeclared(node.additionalProperties)
  else if (node.additionalProperties === undefined && (node.type === 'object' || node.properties)) node.additionalProperties = true
  return node as S
}
