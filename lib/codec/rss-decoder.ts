import type { BodyDecoder, DecoderFactory } from './decoder.js'
import { parseFeed } from './feed/parse-feed.js'
import { krakendDocument } from './feed/universal-feed.js'
import { compileTrim, type Trim } from './trim.js'

export interface RssDecoderOptions {
  /** Dot paths to keep from the decoded document (`title`, `items.title`). */
  readonly allow?: readonly string[]
  /** Dot paths to remove, applied after `allow`. */
  readonly deny?: readonly string[]
}

/**
 * The `rss` decoder: an RSS (0.9x, 1.0, 2.0), Atom (0.3, 1.0) or JSON Feed document becomes the
 * document KrakenD's decoder makes of it. KrakenD CE registers `github.com/krakend/krakend-rss`
 * (formerly `devopsfaith/krakend-rss`), whose `NewDecoder` parses the body with
 * `github.com/mmcdole/gofeed` v1.1.3 into gofeed's universal `Feed` and keeps eleven of its
 * fields, plus `img_url` when the feed has an image:
 *
 *     <rss version="2.0"><channel><title>News</title><language>en</language>
 *       <image><url>https://example.com/logo.png</url></image>
 *       <item><title>One</title><link>https://example.com/1</link>
 *         <pubDate>Tue, 03 Jun 2003 09:39:21 +0200</pubDate></item></channel></rss>
 *
 *     { "author": null, "categories": null, "copyright": "", "custom": null, "description": "",
 *       "img_url": "https://example.com/logo.png",
 *       "items": [{ "title": "One", "link": "https://example.com/1",
 *                   "published": "Tue, 03 Jun 2003 09:39:21 +0200", "publishedParsed": "2003-06-03T07:39:21Z" }],
 *       "language": "en", "published": "", "title": "News", "type": "rss", "updated": "" }
 *
 * - Every key but `img_url` is always there; `type` is `rss`, `atom` or `json`. `author` is
 *   `{ "name", "email" }` or `null`, `categories` a list of strings or `null`, `custom` always
 *   `null` (gofeed never fills it); the others are strings, `""` when absent. `published` and
 *   `updated` are the feed's dates as written (Atom has no `published`; a JSON Feed's are its
 *   first item's).
 * - An item is gofeed's `Item` as Go writes its JSON: `title`, `description`, `content`, `link`,
 *   `updated`, `updatedParsed`, `published`, `publishedParsed`, `author`, `guid`, `image`
 *   (`{ "url", "title" }`), `categories`, `enclosures` (`[{ "url", "length", "type" }]`), `dcExt`,
 *   `itunesExt`, `extensions`, each left out when empty. `*Parsed` are RFC 3339 (UTC for RSS and
 *   Atom, the written offset for JSON Feed), present when gofeed's date layouts read the text.
 *   `extensions` holds the elements of other namespaces, by prefix then name:
 *   `{ "media": { "thumbnail": [{ "name", "value", "attrs", "children" }] } }`.
 *
 * Where rxgate differs from KrakenD:
 * - Items are plain objects, so `allow`, `deny`, `target` and `flatmap_filter` paths reach into
 *   them (`items.title`); in KrakenD they are Go structs inside the decoded map.
 * - A date whose zone is a name (`EST`, `CET`) is read at offset 0; gofeed asks the system's zone
 *   database for names in some layouts (`Thu, 2 Jul 2020 11:47:01 EST` is then at -05:00).
 * - Atom `xhtml` content is written back as it was parsed (names lower-cased, text escaped as Go
 *   does), without the HTML parser's tree repairs; `xml:base` is applied to URI attributes and
 *   elements, not to links inside `html` content.
 * - Character references in text: HTML 4's names are decoded, HTML 5's other names are kept.
 * - gofeed's non-strict XML reading accepts unquoted attribute values (`<a href=x>`), which
 *   rxgate reads as a valueless attribute. XML in another encoding than UTF-8 is decoded when its
 *   declaration names one the platform knows (`ISO-8859-1`, `windows-1252`, ...).
 *
 * The body is buffered (the transport bounds it by `maxBodyBytes`) and parsed when it ends;
 * `allow` / `deny` apply to the decoded document. A body that is not a feed (empty, garbage, an
 * HTML page, XML with another root, a cut-off document, a JSON Feed field of the wrong type)
 * throws, which the transport reports as `BACKEND_DECODE`.
 *
 * @example
 * const decode = rssDecoder({ allow: ['title', 'items.title'] })(undefined)
 * decode.write(Buffer.from('<rss><channel><title>News</title><item><title>One</title></item></channel></rss>'))
 * decode.end()   // { title: 'News', items: [{ title: 'One' }] }
 */
export function rssDecoder(options: RssDecoderOptions = {}): DecoderFactory<Record<string, unknown>> {
  const trim = compileTrim(options.allow, options.deny)
  return () => new RssDecoder(trim)
}

class RssDecoder implements BodyDecoder<Record<string, unknown>> {
  private chunks: Buffer[] = []
  private size = 0

  constructor(private readonly trim: Trim | undefined) {}

  write(chunk: Buffer): void {
    this.chunks.push(chunk)
    this.size += chunk.length
  }

  end(): Record<string, unknown> {
    // Joined before decoding, so a character split across chunks is read whole.
    const bytes = Buffer.concat(this.chunks, this.size)
    this.chunks = []
    const document = krakendDocument(parseFeed(bytes))
    return this.trim ? (this.trim(document) as Record<string, unknown>) : document
  }
}
