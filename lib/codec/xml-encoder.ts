import { XMLBuilder } from 'fast-xml-parser'
import { setField } from '../../operators/fields.js'
import type { Encode } from './json-encoder.js'
import { bigIntValue, cyclicValue, unencodable } from './unencodable.js'
import { XML_ATTRIBUTE_PREFIX, XML_TEXT_KEY, XML_MAX_NESTING_DEPTH } from './xml-decoder.js'

/** The root element when the data does not name one, as KrakenD's encoder (mxj) calls it. */
export const XML_ROOT = 'doc'

/** What an array that is the whole answer is written as: one element per item. */
export const XML_ITEM = 'item'

/**
 * The XML encoder (KrakenD's `xml` output, and `negotiate` for `application/xml` / `text/xml`),
 * the inverse of the `xml` decoder: `-name` keys are attributes, `#text` is text, an array is
 * one element per item. An object with one key (not an array) makes that key the root, so a
 * decoded document comes back as it was; anything else goes under `<doc>`. Names that XML does
 * not allow (`first name`, `1st`) have their bad characters replaced by `_`, and characters XML
 * cannot carry (control characters) by U+FFFD, so the output is always well-formed.
 *
 * Elements nest at most {@link XML_MAX_NESTING_DEPTH} levels, as the decoder reads them (the
 * builder recurses per element and stops there); deeper data, a cycle or a BigInt fail with a
 * `RENDER` error that says so, never with a stack overflow.
 */
export function xmlEncoder(): Encode {
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: XML_ATTRIBUTE_PREFIX,
    textNodeName: XML_TEXT_KEY,
    maxNestedTags: XML_MAX_NESTING_DEPTH,
  })
  return (value) => {
    const safe = rooted(xmlSafe(value))
    try {
      return builder.build(safe) as string
    } catch (error) {
      const deep = error instanceof RangeError || (error instanceof Error && /nested tags/i.test(error.message))
      throw unencodable(
        'XML',
        deep ? `it nests deeper than the ${XML_MAX_NESTING_DEPTH} levels XML output goes to: answer with JSON (output_encoding json) or flatten the data` : String(error),
        error,
      )
    }
  }
}

function rooted(value: unknown): Record<string, unknown> {
  if (Array.isArray(value)) return { [XML_ROOT]: { [XML_ITEM]: value } }
  if (isPlainObject(value)) {
    const keys = Object.keys(value)
    if (keys.length === 1 && !keys[0]!.startsWith(XML_ATTRIBUTE_PREFIX) && keys[0] !== XML_TEXT_KEY && !Array.isArray(value[keys[0]!])) {
      return value
    }
  }
  return { [XML_ROOT]: value }
}

const NAME = /^[A-Za-z_][\w.:-]*$/
const NAME_START_BAD = /^[^A-Za-z_]/
const NAME_CHAR_BAD = /[^\w.:-]/g
// Legal in XML 1.0: tab, newline, carriage return, and U+0020 up; surrogates pair up in JS strings.
const ILLEGAL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/
const ILLEGAL_ALL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g

/**
 * A copy of the data that the builder turns into well-formed XML (see {@link xmlEncoder}): names
 * made valid, illegal characters replaced, arrays in arrays flattened (they have no element name
 * of their own: their items join the outer list). Made with an explicit stack, so data of any
 * depth is copied without recursion; a cycle or a BigInt throws a `RENDER` error naming it.
 */
function xmlSafe(value: unknown): unknown {
  if (!isContainer(value)) return xmlScalar(value, [])
  // Per open container: the source, its keys (undefined for an array), the next index, and the
  // copy its items go to. A nested array's frame writes into its parent array's copy: flattening.
  const sources: object[] = []
  const keys: (string[] | undefined)[] = []
  const indices: number[] = []
  const copies: (Record<string, unknown> | unknown[])[] = []
  const path: (string | number)[] = []
  const open = new Set<object>()
  const enter = (source: object, copy: Record<string, unknown> | unknown[]): void => {
    if (open.has(source)) throw cyclicValue('XML', path, path.slice(0, sources.indexOf(source)))
    open.add(source)
    sources.push(source)
    keys.push(Array.isArray(source) ? undefined : Object.keys(source))
    indices.push(0)
    copies.push(copy)
  }
  const copyOf = (source: object): Record<string, unknown> | unknown[] => (Array.isArray(source) ? [] : {})
  const top = copyOf(value)
  enter(value, top)
  while (sources.length > 0) {
    const at = sources.length - 1
    const source = sources[at]!
    const names = keys[at]
    const index = indices[at]!
    const copy = copies[at]!
    if (index >= (names ? names.length : (source as unknown[]).length)) {
      open.delete(source)
      sources.pop()
      keys.pop()
      indices.pop()
      copies.pop()
      path.pop()
      continue
    }
    indices[at] = index + 1
    if (!names) {
      // A hole is no item (as `flat` skips it).
      if (!(index in source)) continue
      const item = (source as unknown[])[index]
      path.push(index)
      if (Array.isArray(item)) enter(item, copy)
      else if (isContainer(item)) {
        const inner = copyOf(item)
        ;(copy as unknown[]).push(inner)
        enter(item, inner)
      } else {
        ;(copy as unknown[]).push(xmlScalar(item, path))
        path.pop()
      }
      continue
    }
    const key = names[index]!
    const field = (source as Record<string, unknown>)[key]
    let name: string
    if (key === XML_TEXT_KEY) name = key
    else if (key.startsWith(XML_ATTRIBUTE_PREFIX) && key.length > 1 && isScalar(field)) name = XML_ATTRIBUTE_PREFIX + xmlName(key.slice(1))
    else name = xmlName(key)
    path.push(key)
    if (isContainer(field)) {
      const inner = copyOf(field)
      setField(copy as Record<string, unknown>, name, inner)
      enter(field, inner)
    } else {
      setField(copy as Record<string, unknown>, name, xmlScalar(field, path))
      path.pop()
    }
  }
  return top
}

/** A value that is not walked into, made writable: strings cleaned, BigInts refused. */
function xmlScalar(value: unknown, path: readonly (string | number)[]): unknown {
  if (typeof value === 'string') return ILLEGAL.test(value) ? value.replace(ILLEGAL_ALL, '\ufffd') : value
  if (typeof value === 'bigint') throw bigIntValue('XML', path)
  return value
}

function xmlName(key: string): string {
  if (NAME.test(key)) return key
  const name = key.replace(NAME_CHAR_BAD, '_')
  return NAME_START_BAD.test(name) ? `_${name}` : name
}

function isScalar(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function')
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** What `xmlSafe` copies member by member: arrays and objects of any kind (a Date has no members: `{}`). */
function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null
}
