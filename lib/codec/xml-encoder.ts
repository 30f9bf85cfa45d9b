import { XMLBuilder } from 'fast-xml-parser'
import { setField } from '../../operators/fields.js'
import type { Encode } from './json-encoder.js'
import { XML_ATTRIBUTE_PREFIX, XML_TEXT_KEY } from './xml-decoder.js'

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
 */
export function xmlEncoder(): Encode {
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: XML_ATTRIBUTE_PREFIX,
    textNodeName: XML_TEXT_KEY,
  })
  return (value) => builder.build(rooted(xmlSafe(value))) as string
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

/** A copy of the data that the builder turns into well-formed XML (see {@link xmlEncoder}). */
function xmlSafe(value: unknown): unknown {
  if (typeof value === 'string') return ILLEGAL.test(value) ? value.replace(ILLEGAL_ALL, '\ufffd') : value
  // Arrays in arrays have no element name of their own: their items join the outer list.
  if (Array.isArray(value)) return value.flat(Infinity).map(xmlSafe)
  if (!isPlainObject(value)) return value
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    const field = value[key]
    let name: string
    if (key === XML_TEXT_KEY) name = key
    else if (key.startsWith(XML_ATTRIBUTE_PREFIX) && key.length > 1 && isScalar(field)) name = XML_ATTRIBUTE_PREFIX + xmlName(key.slice(1))
    else name = xmlName(key)
    setField(out, name, xmlSafe(field))
  }
  return out
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
