import { allValues, firstValue, type Extension } from './feed-extensions.js'
import { omitEmpty } from './universal-feed.js'

/** The elements of one extension prefix, by name. */
type ByName = Map<string, Extension[]> | undefined

/** gofeed's `DublinCoreExtension` of the `dc` elements, in its JSON shape: each field every value of its element. */
export function dublinCoreJson(dc: ByName): Record<string, unknown> {
  const fields: Record<string, unknown> = {}
  for (const name of DUBLIN_CORE) fields[name] = allValues(dc, name)
  return omitEmpty(fields)
}

const DUBLIN_CORE = [
  'title', 'creator', 'author', 'subject', 'description', 'publisher', 'contributor', 'date', 'type',
  'format', 'identifier', 'source', 'language', 'relation', 'coverage', 'rights',
]

/** gofeed's `ITunesItemExtension` of an item's `itunes` elements, in its JSON shape. */
export function itunesItemJson(itunes: ByName): Record<string, unknown> {
  return omitEmpty({
    author: firstValue(itunes, 'author'),
    block: firstValue(itunes, 'block'),
    duration: firstValue(itunes, 'duration'),
    explicit: firstValue(itunes, 'explicit'),
    keywords: firstValue(itunes, 'keywords'),
    subtitle: firstValue(itunes, 'subtitle'),
    summary: firstValue(itunes, 'summary'),
    image: itunesImage(itunes),
    isClosedCaptioned: firstValue(itunes, 'isClosedCaptioned'),
    episode: firstValue(itunes, 'episode'),
    season: firstValue(itunes, 'season'),
    order: firstValue(itunes, 'order'),
    episodeType: firstValue(itunes, 'episodeType'),
  })
}

/** The `href` of the first `itunes:image`. */
export function itunesImage(itunes: ByName): string {
  return itunes?.get('image')?.[0]?.attrs.get('href') ?? ''
}

/** The texts of the `itunes:category` elements, each followed by its first subcategory's, as gofeed lists a feed's categories. */
export function itunesCategoryTexts(itunes: ByName): string[] {
  const texts: string[] = []
  for (const category of itunes?.get('category') ?? []) {
    texts.push(category.attrs.get('text') ?? '')
    const sub = category.children.get('category')?.[0]
    if (sub) texts.push(sub.attrs.get('text') ?? '')
  }
  return texts
}
