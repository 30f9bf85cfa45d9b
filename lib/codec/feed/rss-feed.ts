import { parseFeedDate } from './feed-date.js'
import { addExtension, allValues, firstValue, isExtension, type Extension, type Extensions } from './feed-extensions.js'
import { feedText, parseNameAddress } from './feed-text.js'
import { attribute, childElements, innerXml, type FeedElement } from './feed-xml.js'
import { dublinCoreJson, itunesCategoryTexts, itunesImage, itunesItemJson } from './known-extensions.js'
import { inUtc } from './go-time.js'
import { EMPTY_ITEM, type FeedImage, type Person, type UniversalFeed, type UniversalItem } from './universal-feed.js'

/**
 * An RSS 0.9x / 2.0 (`<rss>`) or RSS 0.90 / 1.0 (`<rdf:RDF>`) document as gofeed's RSS parser and
 * its `DefaultRSSTranslator` make it into a universal feed. Element names are matched without
 * regard to case; elements in other namespaces are extensions (`dc`, `itunes` and `content`
 * also feed the fields: `dc:creator` an author, `itunes:image` an image, `content:encoded` an
 * item's content...); items may sit in the channel or, in RSS 1.0, beside it.
 *
 * @example
 * rssFeed(parseFeedXml('<rss><channel><title>News</title><item><title>One</title></item></channel></rss>')!)
 * // { type: 'rss', title: 'News', items: [{ title: 'One', ... }], ... }
 */
export function rssFeed(root: FeedElement): UniversalFeed {
  let channel: FeedElement | undefined
  let rootImage: FeedImage | undefined
  const rootItems: UniversalItem[] = []
  for (const child of childElements(root)) {
    if (isExtension(child)) continue
    const name = child.name.toLowerCase()
    if (name === 'channel') channel = child
    else if (name === 'item') rootItems.push(rssItem(child))
    else if (name === 'image') rootImage = rssImage(child)
  }
  const feed = channel ? rssChannel(channel) : { ...EMPTY_FEED }
  return {
    ...feed,
    image: rootImage ?? feed.image,
    items: [...feed.items, ...rootItems],
  }
}

const EMPTY_FEED: UniversalFeed = {
  type: 'rss',
  title: '',
  description: '',
  author: undefined,
  language: '',
  image: undefined,
  copyright: '',
  categories: undefined,
  published: '',
  updated: '',
  items: [],
}

function rssChannel(channel: FeedElement): UniversalFeed {
  const text: Record<string, string> = {}
  const categories: string[] = []
  const items: UniversalItem[] = []
  const extensions: Extensions = new Map()
  let image: FeedImage | undefined
  for (const child of childElements(channel)) {
    if (isExtension(child)) {
      addExtension(extensions, child)
      continue
    }
    const name = child.name.toLowerCase()
    if (CHANNEL_TEXTS.has(name)) text[name] = feedText(innerXml(child))
    else if (name === 'item') items.push(rssItem(child))
    else if (name === 'category') categories.push(feedText(innerXml(child)))
    else if (name === 'image') image = rssImage(child)
  }
  const dc = extensions.get('dc')
  const itunes = extensions.get('itunes')

  const allCategories = [...categories, ...itunesKeywords(itunes), ...itunesCategoryTexts(itunes), ...(allValues(dc, 'subject') ?? [])]
  const itunesImageUrl = itunesImage(itunes)
  return {
    type: 'rss',
    title: text.title || firstValue(dc, 'title'),
    description: text.description ?? '',
    author:
      nameAddress(text.managingeditor || undefined) ??
      nameAddress(text.webmaster || undefined) ??
      nameAddress(firstOf(dc, 'author')) ??
      nameAddress(firstOf(dc, 'creator')) ??
      nameAddress(firstValue(itunes, 'author') || undefined),
    language: text.language || firstValue(dc, 'language'),
    image: image ?? (itunesImageUrl ? { url: itunesImageUrl, title: '' } : undefined),
    copyright: text.copyright || firstValue(dc, 'rights'),
    categories: allCategories.length > 0 ? allCategories : undefined,
    published: text.pubdate ?? '',
    updated: text.lastbuilddate || firstValue(dc, 'date'),
    items,
  }
}

const CHANNEL_TEXTS = new Set(['title', 'description', 'link', 'language', 'copyright', 'managingeditor', 'webmaster', 'pubdate', 'lastbuilddate', 'generator'])

function rssItem(item: FeedElement): UniversalItem {
  const text: Record<string, string> = {}
  const categories: string[] = []
  const extensions: Extensions = new Map()
  let enclosure: { url: string; length: string; type: string } | undefined
  for (const child of childElements(item)) {
    if (isExtension(child)) {
      addExtension(extensions, child)
      continue
    }
    const name = child.name.toLowerCase()
    if (ITEM_TEXTS.has(name)) text[name] = feedText(innerXml(child))
    else if (name === 'encoded') {
      if (child.spaces.get(child.space.trim()) === 'content') text.encoded = feedText(innerXml(child))
    } else if (name === 'category') categories.push(feedText(innerXml(child)))
    else if (name === 'enclosure') enclosure = { url: attribute(child, 'url'), length: attribute(child, 'length'), type: attribute(child, 'type') }
  }
  const dc = extensions.get('dc')
  const itunes = extensions.get('itunes')
  const pubDate = text.pubdate ?? ''
  const pubDateParsed = pubDate === '' ? undefined : parseFeedDate(pubDate)
  const dcDate = firstOf(dc, 'date')
  const allCategories = [...categories, ...itunesKeywords(itunes), ...(allValues(dc, 'subject') ?? [])]
  const itunesImageUrl = itunesImage(itunes)
  return {
    ...EMPTY_ITEM,
    title: text.title || firstValue(dc, 'title'),
    description: text.description || firstValue(dc, 'description'),
    content: text.encoded ?? '',
    link: text.link ?? '',
    published: pubDate || (dcDate ?? ''),
    publishedParsed: pubDateParsed ? inUtc(pubDateParsed) : dcDate !== undefined ? parseFeedDate(dcDate) : undefined,
    author:
      nameAddress(text.author || undefined) ??
      nameAddress(firstOf(dc, 'author')) ??
      nameAddress(firstOf(dc, 'creator')) ??
      nameAddress(firstValue(itunes, 'author') || undefined),
    guid: text.guid ?? '',
    image: itunesImageUrl ? { url: itunesImageUrl, title: '' } : undefined,
    categories: allCategories.length > 0 ? allCategories : undefined,
    enclosures: enclosure ? [enclosure] : undefined,
    dcExt: dc ? dublinCoreJson(dc) : undefined,
    itunesExt: itunes ? itunesItemJson(itunes) : undefined,
    extensions: extensions.size > 0 ? extensions : undefined,
  }
}

const ITEM_TEXTS = new Set(['title', 'description', 'link', 'author', 'comments', 'pubdate', 'guid'])

/** gofeed's RSS `image`: its children matched by local name only, whatever their namespace. */
function rssImage(image: FeedElement): FeedImage {
  let url = ''
  let title = ''
  for (const child of childElements(image)) {
    const name = child.name.toLowerCase()
    if (name === 'url') url = feedText(innerXml(child))
    else if (name === 'title') title = feedText(innerXml(child))
  }
  return { url, title }
}

/** A person from `Name (address)` text; `undefined` for no text at all, as gofeed tries the next source. */
function nameAddress(text: string | undefined): Person | undefined {
  return text === undefined ? undefined : parseNameAddress(text)
}

/** The first value of an extension element, `undefined` when there is no such element (gofeed tests the slice, not the text). */
function firstOf(byName: Map<string, Extension[]> | undefined, name: string): string | undefined {
  const list = byName?.get(name)
  return list && list.length > 0 ? list[0]!.value : undefined
}

function itunesKeywords(itunes: Map<string, Extension[]> | undefined): string[] {
  const keywords = firstValue(itunes, 'keywords')
  return keywords === '' ? [] : keywords.split(',')
}
