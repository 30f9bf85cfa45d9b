import { XMLParser, XMLValidator } from 'fast-xml-parser'
import type { BodyDecoder, DecoderFactory } from './decoder.js'
import { compileTrim, type Trim } from './trim.js'

export interface XmlDecoderOptions {
  /** Dot paths to keep from the decoded object (`user.name`, `user.-id`). */
  readonly allow?: readonly string[]
  /** Dot paths to remove, applied after `allow`. */
  readonly deny?: readonly string[]
}

/** KrakenD's XML shapes (mxj): attributes as `-name`, text beside attributes or children as `#text`. */
export const XML_ATTRIBUTE_PREFIX = '-'
export const XML_TEXT_KEY = '#text'

/**
 * The `xml` decoder. The document becomes what KrakenD's decoder (mxj) makes of it:
 *
 *     <user id="7"><name>Ada</name><tag>a</tag><tag>b</tag><note lang="en">hi</note></user>
 *     { "user": { "-id": "7", "name": "Ada", "tag": ["a", "b"], "note": { "-lang": "en", "#text": "hi" } } }
 *
 * The root element is the one key; every value is a string, as written (no number guessing); an
 * empty element is `""`; text is trimmed; comments, processing instructions and the declaration
 * are dropped; CDATA is text. The body is buffered (the transport bounds it by `maxBodyBytes`),
 * checked for well-formedness (garbage, two roots or a bare `3` fail as `BACKEND_DECODE`, as in
 * KrakenD), then parsed. fast-xml-parser refuses elements named `__proto__`, `constructor` or
 * `prototype`, and nesting deeper than 100 elements: such documents fail to decode too.
 */
export function xmlDecoder(options: XmlDecoderOptions = {}): DecoderFactory<Record<string, unknown>> {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: XML_ATTRIBUTE_PREFIX,
    textNodeName: XML_TEXT_KEY,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    // The only switch for numeric references (`&#65;`), which XML requires; it also reads HTML's
    // named entities (`&nbsp;`), which a strict parser would reject: lenient, and harmless.
    htmlEntities: true,
  })
  const trim = compileTrim(options.allow, options.deny)
  return () => new XmlDecoder(parser, trim)
}

class XmlDecoder implements BodyDecoder<Record<string, unknown>> {
  private chunks: Buffer[] = []
  private size = 0

  constructor(
    private readonly parser: XMLParser,
    private readonly trim: Trim | undefined,
  ) {}

  write(chunk: Buffer): void {
    this.chunks.push(chunk)
    this.size += chunk.length
  }

  end(): Record<string, unknown> {
    let text = Buffer.concat(this.chunks, this.size).toString('utf8')
    this.chunks = []
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    const valid = XMLValidator.validate(text)
    if (valid !== true) {
      const { msg, line, col } = valid.err
      throw new SyntaxError(`${msg} (line ${line}${col === undefined ? '' : `, column ${col}`})`)
    }
    const value = this.parser.parse(text) as Record<string, unknown>
    // The validator lets some second roots through (`<a/><b/>`); a document has exactly one.
    const roots = Object.keys(value)
    if (roots.length !== 1 || Array.isArray(value[roots[0]!])) throw new SyntaxError('a document has exactly one root element')
    return this.trim ? (this.trim(value) as Record<string, unknown>) : value
  }
}
