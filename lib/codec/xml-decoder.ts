import { XMLParser, XMLValidator } from 'fast-xml-parser'
import type { BodyDecoder, DecoderFactory } from './decoder.js'
import { DEFAULT_MAX_NESTING_DEPTH, NestingTooDeepError } from './depth.js'
import { compileTrim, type Trim } from './trim.js'

export interface XmlDecoderOptions {
  /** Dot paths to keep from the decoded object (`user.name`, `user.-id`). */
  readonly allow?: readonly string[]
  /** Dot paths to remove, applied after `allow`. */
  readonly deny?: readonly string[]
  /**
   * Elements nested deeper than this many levels fail with a `NestingTooDeepError`; never more
   * than {@link XML_MAX_NESTING_DEPTH}, the parser's own limit, whatever is asked.
   */
  readonly maxNestingDepth?: number
}

/**
 * The deepest element nesting the XML decoder reads (fast-xml-parser's limit: its tree is built
 * and then converted recursively, so it must stay shallow). Far more than XML APIs use.
 */
export const XML_MAX_NESTING_DEPTH = 100

/** What fast-xml-parser throws past its `maxNestedTags`. */
const TOO_DEEP_MESSAGE = /nested tags/i

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
 * `prototype` (they fail to decode), and elements nested deeper than {@link XML_MAX_NESTING_DEPTH}
 * levels (or `maxNestingDepth` when lower), which fail as too deep.
 */
export function xmlDecoder(options: XmlDecoderOptions = {}): DecoderFactory<Record<string, unknown>> {
  const limit = Math.min(options.maxNestingDepth ?? DEFAULT_MAX_NESTING_DEPTH, XML_MAX_NESTING_DEPTH)
  const parser = new XMLParser({
    // The parser lets one element more through than its `maxNestedTags` says.
    maxNestedTags: limit - 1,
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
  return () => new XmlDecoder(parser, trim, limit)
}

class XmlDecoder implements BodyDecoder<Record<string, unknown>> {
  private chunks: Buffer[] = []
  private size = 0

  constructor(
    private readonly parser: XMLParser,
    private readonly trim: Trim | undefined,
    private readonly maxNestingDepth: number,
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
    const value = this.parse(text)
    // The validator lets some second roots through (`<a/><b/>`); a document has exactly one.
    const roots = Object.keys(value)
    if (roots.length !== 1 || Array.isArray(value[roots[0]!])) throw new SyntaxError('a document has exactly one root element')
    return this.trim ? (this.trim(value) as Record<string, unknown>) : value
  }

  private parse(text: string): Record<string, unknown> {
    try {
      return this.parser.parse(text) as Record<string, unknown>
    } catch (error) {
      if (error instanceof Error && TOO_DEEP_MESSAGE.test(error.message)) throw new NestingTooDeepError(this.maxNestingDepth)
      throw error
    }
  }
}
