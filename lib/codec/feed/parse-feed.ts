import { atomFeed } from './atom-feed.js'
import { parseFeedXml } from './feed-xml.js'
import { jsonFeed } from './json-feed.js'
import { rssFeed } from './rss-feed.js'
import type { UniversalFeed } from './universal-feed.js'
import { parseJson } from '../parse-json.js'

/**
 * A feed document (its bytes) as gofeed's universal parser reads it: the type detected as
 * gofeed's `DetectFeedType` does, by the first character after white space and byte order marks:
 * `<` an XML document whose root element is `rss` or `rdf` (RSS) or `feed` (Atom), `{` a JSON
 * document (JSON Feed); anything else, an XML root of another name (an HTML page) or a body that
 * does not parse throws. XML is read in the encoding its declaration names (UTF-8 by default).
 *
 * @example
 * parseFeed(Buffer.from('<rss version="2.0"><channel><title>News</title></channel></rss>')).title   // "News"
 * parseFeed(Buffer.from('<html><body>Hi</body></html>'))   // throws: not a feed
 */
export function parseFeed(bytes: Buffer): UniversalFeed {
  let start = 0
  while (start < bytes.length && SKIPPED.has(bytes[start]!)) start++
  const first = bytes[start]
  if (first === 0x3c /* < */) return xmlFeed(decodeXml(bytes.subarray(start)))
  if (first === 0x7b /* { */) return jsonFeed(parseJson(bytes.subarray(start)))
  throw new SyntaxError(start === bytes.length ? 'the body is empty: not a feed' : 'not a feed: neither XML nor a JSON object')
}

// White space and the bytes of UTF-8, UTF-16 and UTF-32 byte order marks, as gofeed skips them.
const SKIPPED = new Set([0x20, 0x0d, 0x0a, 0x09, 0xfe, 0xff, 0x00, 0xef, 0xbb, 0xbf])

function xmlFeed(text: string): UniversalFeed {
  const root = parseFeedXml(text)
  if (!root) throw new SyntaxError('not a feed: no root element')
  const name = root.name.toLowerCase()
  if (name !== 'rss' && name !== 'rdf' && name !== 'feed') throw new SyntaxError(`not a feed: the root element is <${root.qname}>`)
  // Go's decoder fails at the end of a document whose root is still open: a cut-off feed.
  if (!closesRoot(text, root.qname) && !(root.children.length === 0 && text.trimEnd().endsWith('/>'))) throw new SyntaxError(`the document ends before </${root.qname}>`)
  return name === 'feed' ? atomFeed(root) : rssFeed(root)
}

function closesRoot(text: string, qname: string): boolean {
  const name = qname.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`</${name}\\s*>`).test(text)
}

/** The document's text, in the encoding its XML declaration names. */
function decodeXml(bytes: Buffer): string {
  const declaration = /^<\?xml[^>]*?encoding\s*=\s*["']([^"']+)["']/.exec(bytes.subarray(0, 200).toString('latin1'))
  const label = declaration?.[1]?.trim().toLowerCase()
  if (label === undefined || label === 'utf-8' || label === 'utf8') return bytes.toString('utf8')
  return new TextDecoder(label).decode(bytes)
}
