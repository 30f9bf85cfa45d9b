import { parseFeedDate } from './feed-date.js'
import { parseNameAddress } from './feed-text.js'
import { EMPTY_ITEM, type UniversalFeed, type UniversalItem } from './universal-feed.js'

/**
 * A JSON Feed (1.0, 1.1) as gofeed's JSON parser and its `DefaultJSONTranslator` make it into a
 * universal feed. The document is read the way Go's `encoding/json` reads it into gofeed's
 * structs: keys matched exactly or else without regard to case, unknown keys ignored, `null`
 * leaving a field empty, and a value of the wrong type failing the whole document. gofeed
 * detects JSON Feed by its first character alone, so any JSON object is one (an empty one, most
 * likely). The feed's `published` and `updated` are its first item's; item dates keep their
 * offset (the XML formats' are turned to UTC); an attachment's `duration_in_seconds` becomes its
 * enclosure's `length` (`"0"` when absent).
 *
 * @example
 * jsonFeed({ version: 'https://jsonfeed.org/version/1.1', title: 'News', items: [{ id: '1', content_text: 'Hi' }] })
 * // { type: 'json', title: 'News', items: [{ guid: '1', content: 'Hi', ... }], ... }
 */
export function jsonFeed(document: unknown): UniversalFeed {
  const feed = readStruct(document, FEED_FIELDS, 'feed')
  const items = readList(feed.items, 'items').map((item, index) => {
    if (item === null) throw new TypeError(`items[${index}] is null`)
    return readStruct(item, ITEM_FIELDS, `items[${index}]`)
  })
  const author = feed.author === undefined ? undefined : readStruct(feed.author, AUTHOR_FIELDS, 'author')
  const first = items[0]
  return {
    type: 'json',
    title: text(feed.title),
    description: text(feed.description),
    author: author && parseNameAddress(text(author.name)),
    language: '',
    image: text(feed.icon) === '' ? undefined : { url: text(feed.icon), title: '' },
    copyright: '',
    categories: undefined,
    published: first ? text(first.date_published) : '',
    updated: first ? text(first.date_modified) : '',
    items: items.map(jsonItem),
  }
}

function jsonItem(item: Fields, index: number): UniversalItem {
  const author = item.author === undefined ? undefined : readStruct(item.author, AUTHOR_FIELDS, `items[${index}].author`)
  const tags = readList(item.tags, `items[${index}].tags`).map((tag, at) => (tag === null ? '' : expectString(tag, `items[${index}].tags[${at}]`)))
  const attachments = item.attachments === undefined ? undefined : readList(item.attachments, `items[${index}].attachments`)
  const image = text(item.image) || text(item.banner_image)
  return {
    ...EMPTY_ITEM,
    guid: text(item.id),
    link: text(item.url),
    title: text(item.title),
    content: text(item.content_html) || text(item.content_text),
    description: text(item.summary),
    image: image === '' ? undefined : { url: image, title: '' },
    published: text(item.date_published),
    publishedParsed: text(item.date_published) === '' ? undefined : parseFeedDate(text(item.date_published)),
    updated: text(item.date_modified),
    updatedParsed: text(item.date_modified) === '' ? undefined : parseFeedDate(text(item.date_modified)),
    author: author && parseNameAddress(text(author.name)),
    categories: tags.length > 0 ? tags : undefined,
    enclosures: attachments?.map((attachment, at) => {
      const fields = attachment === null ? {} : readStruct(attachment, ATTACHMENT_FIELDS, `items[${index}].attachments[${at}]`)
      return { url: text(fields.url), type: text(fields.mime_type), length: String(fields.duration_in_seconds ?? 0) }
    }),
  }
}

/** The kind of each field of gofeed's JSON Feed structs. */
type Kind = 'string' | 'bool' | 'int64' | 'object' | 'list'
type Fields = Record<string, unknown>

const FEED_FIELDS: Record<string, Kind> = {
  version: 'string', title: 'string', home_page_url: 'string', feed_url: 'string', description: 'string', user_comment: 'string',
  next_url: 'string', icon: 'string', favicon: 'string', author: 'object', expired: 'bool', items: 'list',
}
const ITEM_FIELDS: Record<string, Kind> = {
  id: 'string', url: 'string', external_url: 'string', title: 'string', content_html: 'string', content_text: 'string',
  summary: 'string', image: 'string', banner_image: 'string', date_published: 'string', date_modified: 'string',
  author: 'object', tags: 'list', attachments: 'list',
}
const AUTHOR_FIELDS: Record<string, Kind> = { name: 'string', url: 'string', avatar: 'string' }
const ATTACHMENT_FIELDS: Record<string, Kind> = {
  url: 'string', mime_type: 'string', title: 'string', size_in_bytes: 'int64', duration_in_seconds: 'int64',
}

/** Reads an object into a struct's fields as Go does: exact key first, else a case-insensitive one; `null` leaves a field unset. */
function readStruct(value: unknown, fields: Record<string, Kind>, where: string): Fields {
  if (value === null) return Object.create(null) as Fields
  if (typeof value !== 'object' || Array.isArray(value)) throw new TypeError(`${where}: expected an object`)
  const byFolded = new Map(Object.keys(fields).map((name) => [name.toLowerCase(), name]))
  const out: Fields = Object.create(null) as Fields
  for (const [key, field] of Object.entries(value as Fields)) {
    const name = Object.hasOwn(fields, key) ? key : byFolded.get(key.toLowerCase())
    if (name === undefined || field === null) continue
    out[name] = checked(field, fields[name]!, `${where}.${name}`)
  }
  return out
}

function checked(value: unknown, kind: Kind, where: string): unknown {
  const ok =
    kind === 'string' ? typeof value === 'string'
    : kind === 'bool' ? typeof value === 'boolean'
    : kind === 'int64' ? Number.isSafeInteger(value)
    : kind === 'list' ? Array.isArray(value)
    : typeof value === 'object' && !Array.isArray(value)
  if (!ok) throw new TypeError(`${where}: a ${kind === 'int64' ? 'whole number' : kind} was expected`)
  return value
}

function readList(value: unknown, where: string): unknown[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw new TypeError(`${where}: expected a list`)
  return value
}

function expectString(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new TypeError(`${where}: a string was expected`)
  return value
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : ''
}
