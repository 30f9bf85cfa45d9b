import { unescapeHtml } from './html-entities.js'

/**
 * How gofeed reads an element's text (its `ParseText`): the element's inner XML as written, child
 * markup included, trimmed; then, when it holds a CDATA section, the sections' contents (see
 * {@link stripCdata}), else the text with its character references decoded (see
 * {@link decodeEntities}).
 *
 * @example
 * feedText('  Tom &amp; <b>Jerry</b> ')        // "Tom & <b>Jerry</b>"
 * feedText('<![CDATA[<p>Hi &amp;</p>]]>')      // "<p>Hi &amp;</p>"
 */
export function feedText(innerXml: string): string {
  const text = goTrimSpace(innerXml)
  return text.includes(CDATA_START) ? stripCdata(text) : decodeEntities(text)
}

const CDATA_START = '<![CDATA['
const CDATA_END = ']]>'

/**
 * gofeed's `StripCDATA`, quirks included, on the UTF-8 bytes as Go does: the contents of the CDATA
 * sections, and the text after the last one with its references decoded. Text before a section
 * is dropped, and past the first section the scan position overshoots (it adds an absolute
 * offset to the current one), so what follows a second section is mostly lost too.
 */
export function stripCdata(text: string): string {
  const bytes = Buffer.from(text, 'utf8')
  let out = ''
  let current = 0
  while (current < bytes.length) {
    const start = bytes.indexOf(CDATA_START, current)
    if (start === -1) return out + decodeEntities(bytes.subarray(current).toString('utf8'))
    const end = bytes.indexOf(CDATA_END, start)
    if (end === -1) return out + decodeEntities(bytes.subarray(current).toString('utf8'))
    out += bytes.subarray(start + CDATA_START.length, end).toString('utf8')
    current = current + end + CDATA_END.length
  }
  return out
}

/**
 * gofeed's `DecodeEntities`: each `&...;` run goes through Go's `html.UnescapeString`. A `&`
 * with no `;` after it, or whose run to the next `;` holds a space, ends the decoding: the rest
 * is kept as written (so `AT&T; &amp;` stays as it is).
 */
export function decodeEntities(text: string): string {
  let out = ''
  let rest = text
  for (;;) {
    const at = rest.indexOf('&')
    if (at === -1) return out + rest
    out += rest.slice(0, at)
    rest = rest.slice(at)
    if (rest.length === 1) return out + rest
    const end = rest.indexOf(';')
    if (end === -1 || rest.slice(1, end).includes(' ')) return out + rest
    out += unescapeHtml(rest.slice(0, end + 1))
    rest = rest.slice(end + 1)
  }
}

/**
 * Go's `strings.TrimSpace`: Unicode white space at both ends (unlike `String.prototype.trim`,
 * U+0085 is space and U+FEFF is not).
 */
export function goTrimSpace(text: string): string {
  return text.replace(GO_SPACE_AT_ENDS, '')
}

const GO_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000'
const GO_SPACE_AT_ENDS = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, 'g')

/**
 * gofeed's `ParseNameAddress`: `ada@example.com (Ada)`, `Ada (ada@example.com)`, `Ada` or
 * `ada@example.com` into a name and an address; anything else gives neither.
 */
export function parseNameAddress(text: string): { name: string; email: string } {
  let match: RegExpExecArray | null
  if (text === '') return { name: '', email: '' }
  if ((match = EMAIL_NAME.exec(text))) return { name: match[2]!, email: match[1]! }
  if ((match = NAME_EMAIL.exec(text))) return { name: match[1]!, email: match[2]! }
  if ((match = NAME_ONLY.exec(text))) return { name: match[1]!, email: '' }
  if ((match = EMAIL_ONLY.exec(text))) return { name: '', email: match[1]! }
  return { name: '', email: '' }
}

// Go's RE2 `\s` is ASCII white space only.
const EMAIL_NAME = /^([^@]+@[^\t\n\f\r ]+)[\t\n\f\r ]+\(([^@]+)\)$/
const NAME_EMAIL = /^([^@]+)[\t\n\f\r ]+\(([^@]+@[^)]+)\)$/
const NAME_ONLY = /^([^@()]+)$/
const EMAIL_ONLY = /^([^@()]+@[^@()]+)$/
