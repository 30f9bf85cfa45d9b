import { extensionsJson, type Extensions } from './feed-extensions.js'
import { goTimeJson, type GoTime } from './go-time.js'

/**
 * gofeed's universal `Feed` (v1.1.3), which RSS, Atom and JSON Feed documents are translated
 * into: the fields KrakenD's `rss` decoder reads. Empty text is `''` and absent parts are
 * `undefined`, as Go's zero values.
 */
export interface UniversalFeed {
  readonly type: 'rss' | 'atom' | 'json'
  readonly title: string
  readonly description: string
  readonly author: Person | undefined
  readonly language: string
  readonly image: FeedImage | undefined
  readonly copyright: string
  readonly categories: readonly string[] | undefined
  readonly published: string
  readonly updated: string
  readonly items: readonly UniversalItem[]
}

/** gofeed's universal `Item`. */
export interface UniversalItem {
  readonly title: string
  readonly description: string
  readonly content: string
  readonly link: string
  readonly updated: string
  readonly updatedParsed: GoTime | undefined
  readonly published: string
  readonly publishedParsed: GoTime | undefined
  readonly author: Person | undefined
  readonly guid: string
  readonly image: FeedImage | undefined
  readonly categories: readonly string[] | undefined
  readonly enclosures: readonly Enclosure[] | undefined
  /** Dublin Core, already in its JSON shape (RSS only). */
  readonly dcExt: Record<string, unknown> | undefined
  /** iTunes, already in its JSON shape (RSS only). */
  readonly itunesExt: Record<string, unknown> | undefined
  readonly extensions: Extensions | undefined
}

export interface Person {
  readonly name: string
  readonly email: string
}

export interface FeedImage {
  readonly url: string
  readonly title: string
}

export interface Enclosure {
  readonly url: string
  readonly length: string
  readonly type: string
}

/** An item with every field empty, to build on. */
export const EMPTY_ITEM: UniversalItem = {
  title: '',
  description: '',
  content: '',
  link: '',
  updated: '',
  updatedParsed: undefined,
  published: '',
  publishedParsed: undefined,
  author: undefined,
  guid: '',
  image: undefined,
  categories: undefined,
  enclosures: undefined,
  dcExt: undefined,
  itunesExt: undefined,
  extensions: undefined,
}

/**
 * The document KrakenD's `rss` decoder makes of a feed (krakend-rss `NewDecoder`), as its JSON
 * answer shows it: the feed's `items` (each gofeed `Item` as its JSON tags write it), `author`,
 * `categories`, `custom` (always `null`: gofeed never fills it), `copyright`, `description`,
 * `type`, `language`, `title`, `published`, `updated`, and `img_url` when the feed has an image.
 * Keys in the order Go writes a map: sorted.
 */
export function krakendDocument(feed: UniversalFeed): Record<string, unknown> {
  const document: Record<string, unknown> = {
    author: feed.author ? personJson(feed.author) : null,
    categories: feed.categories ? [...feed.categories] : null,
    copyright: feed.copyright,
    custom: null,
    description: feed.description,
  }
  if (feed.image) document.img_url = feed.image.url
  document.items = feed.items.map(itemJson)
  document.language = feed.language
  document.published = feed.published
  document.title = feed.title
  document.type = feed.type
  document.updated = feed.updated
  return document
}

/** An item as Go's `encoding/json` writes gofeed's `Item`: its fields in order, `omitempty` ones left out when empty. */
function itemJson(item: UniversalItem): Record<string, unknown> {
  return omitEmpty({
    title: item.title,
    description: item.description,
    content: item.content,
    link: item.link,
    updated: item.updated,
    updatedParsed: item.updatedParsed && goTimeJson(item.updatedParsed),
    published: item.published,
    publishedParsed: item.publishedParsed && goTimeJson(item.publishedParsed),
    author: item.author && personJson(item.author),
    guid: item.guid,
    image: item.image && omitEmpty({ url: item.image.url, title: item.image.title }),
    categories: item.categories && [...item.categories],
    enclosures: item.enclosures?.map((enclosure) => omitEmpty({ url: enclosure.url, length: enclosure.length, type: enclosure.type })),
    dcExt: item.dcExt,
    itunesExt: item.itunesExt,
    extensions: item.extensions && item.extensions.size > 0 ? extensionsJson(item.extensions) : undefined,
  })
}

function personJson(person: Person): Record<string, unknown> {
  return omitEmpty({ name: person.name, email: person.email })
}

/**
 * Go's `omitempty`, for the values gofeed's structs hold: an empty string, a nil pointer or an
 * empty list is left out; a pointer to an empty struct is not (it is written `{}`).
 */
export function omitEmpty(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) continue
    out[key] = value
  }
  return out
}
