import { parseFeedDate } from './feed-date.js'
import { addExtension, isExtension, type Extensions } from './feed-extensions.js'
import { decodeEntities, goTrimSpace, stripCdata } from './feed-text.js'
import { attribute, childElements, innerXml, type FeedElement } from './feed-xml.js'
import { inUtc } from './go-time.js'
import { renderGoHtml } from './go-html.js'
import { EMPTY_ITEM, type Enclosure, type Person, type UniversalFeed, type UniversalItem } from './universal-feed.js'

/**
 * An Atom 1.0 or 0.3 `<feed>` as gofeed's Atom parser and its `DefaultAtomTranslator` make it
 * into a universal feed: `subtitle` is the description, `logo` the image, `rights` the
 * copyright, the first `author` the author, `xml:lang` the language; an entry's `summary` is its
 * description, `id` its guid, its first `alternate` link its link, its `enclosure` links its
 * enclosures. Text constructs are read by their `type`: `text` decoded, `html` unescaped,
 * `xhtml` kept as markup without its wrapping `<div>`, anything else base64 when it decodes.
 * `xml:base` resolves relative `href`, `src`, `uri`, `scheme` attributes and `id`, `icon`,
 * `logo`, `uri`, `url` elements.
 *
 * @example
 * atomFeed(parseFeedXml('<feed xmlns="http://www.w3.org/2005/Atom"><title>News</title></feed>')!)
 * // { type: 'atom', title: 'News', items: [], ... }
 */
export function atomFeed(root: FeedElement): UniversalFeed {
  let title = ''
  let subtitle = ''
  let updated = ''
  let logo = ''
  let rights = ''
  let author: Person | undefined
  const categories: string[] = []
  const items: UniversalItem[] = []
  for (const child of childElements(root)) {
    if (isExtension(child)) continue
    const name = child.name.toLowerCase()
    if (name === 'title') title = atomText(child)
    else if (name === 'updated' || name === 'modified') updated = atomText(child)
    else if (name === 'subtitle' || name === 'tagline') subtitle = atomText(child)
    else if (name === 'logo') logo = atomText(child)
    else if (name === 'rights' || name === 'copyright') rights = atomText(child)
    else if (name === 'author') author ??= atomPerson(child)
    else if (name === 'category') categories.push(atomAttribute(child, 'term'))
    else if (name === 'entry') items.push(atomEntry(child))
  }
  return {
    type: 'atom',
    title,
    description: subtitle,
    author,
    language: attribute(root, 'lang'),
    image: logo === '' ? undefined : { url: logo, title: '' },
    copyright: rights,
    categories: categories.length > 0 ? categories : undefined,
    published: '',
    updated,
    items,
  }
}

function atomEntry(entry: FeedElement): UniversalItem {
  const text: Record<string, string> = {}
  let author: Person | undefined
  let link: string | undefined
  const categories: string[] = []
  const enclosures: Enclosure[] = []
  let hasLinks = false
  const extensions: Extensions = new Map()
  for (const child of childElements(entry)) {
    if (isExtension(child)) {
      addExtension(extensions, child)
      continue
    }
    const name = ENTRY_SYNONYMS.get(child.name.toLowerCase()) ?? child.name.toLowerCase()
    if (ENTRY_TEXTS.has(name)) text[name] = atomText(child)
    else if (name === 'author') author ??= atomPerson(child)
    else if (name === 'category') categories.push(atomAttribute(child, 'term'))
    else if (name === 'link') {
      hasLinks = true
      const rel = atomAttribute(child, 'rel') || 'alternate'
      const href = atomAttribute(child, 'href')
      if (rel === 'alternate') link ??= href
      if (rel === 'enclosure') enclosures.push({ url: href, length: atomAttribute(child, 'length'), type: atomAttribute(child, 'type') })
    }
  }
  const updatedParsed = text.updated === undefined ? undefined : parseFeedDate(text.updated)
  const publishedParsed = text.published === undefined ? undefined : parseFeedDate(text.published)
  return {
    ...EMPTY_ITEM,
    title: text.title ?? '',
    description: text.summary ?? '',
    content: text.content ?? '',
    link: link ?? '',
    updated: text.updated ?? '',
    updatedParsed: updatedParsed && inUtc(updatedParsed),
    published: text.published ?? '',
    publishedParsed: publishedParsed && inUtc(publishedParsed),
    author,
    guid: text.id ?? '',
    categories: categories.length > 0 ? categories : undefined,
    enclosures: hasLinks && enclosures.length > 0 ? enclosures : undefined,
    extensions: extensions.size > 0 ? extensions : undefined,
  }
}

const ENTRY_SYNONYMS = new Map([['modified', 'updated'], ['issued', 'published'], ['copyright', 'rights']])
const ENTRY_TEXTS = new Set(['title', 'id', 'rights', 'summary', 'updated', 'published', 'content'])

/** gofeed's `parsePerson`: `name`, `email` (and `uri`, unused) read as Atom text. */
function atomPerson(person: FeedElement): Person {
  let name = ''
  let email = ''
  for (const child of childElements(person)) {
    const local = child.name.toLowerCase()
    if (local === 'name') name = atomText(child)
    else if (local === 'email') email = atomText(child)
  }
  return { name, email }
}

/** An attribute, resolved against `xml:base` when it holds a URI (gofeed's `resolveAttrs`). */
function atomAttribute(element: FeedElement, name: string): string {
  const value = attribute(element, name)
  return URI_ATTRIBUTES.has(name.toLowerCase()) ? resolveAgainstBase(element.base, value) : value
}

const URI_ATTRIBUTES = new Set(['href', 'scheme', 'src', 'uri'])
const URI_ELEMENTS = new Set(['icon', 'id', 'logo', 'uri', 'url'])

/** gofeed's `parseAtomText`: an Atom text construct by its `type` (and Atom 0.3's `mode`). */
function atomText(element: FeedElement): string {
  let result = goTrimSpace(innerXml(element))
  const type = attribute(element, 'type').toLowerCase()
  const mode = attribute(element, 'mode').toLowerCase()
  if (result.includes('<![CDATA[')) result = stripCdata(result)
  else if (type === 'text' || type.startsWith('text/') || (type === '' && mode === '')) result = decodeEntities(result)
  else if (type.includes('xhtml')) result = withoutWrappingDiv(element, result)
  else if (type === 'html') result = decodeEntities(withoutWrappingDiv(element, result))
  else result = base64Text(result) ?? result
  return URI_ELEMENTS.has(element.name.toLowerCase()) ? resolveAgainstBase(element.base, result) : result
}

/**
 * gofeed's `stripWrappingDiv`: when the content is one `<div>` (whatever text is around it), the
 * div's content as Go's HTML renderer writes it; otherwise the content unchanged.
 */
function withoutWrappingDiv(element: FeedElement, content: string): string {
  const elements = childElements(element)
  if (elements.length !== 1 || elements[0]!.name.toLowerCase() !== 'div') return content
  return renderGoHtml(elements[0]!.children)
}

/** Go's `base64.StdEncoding.DecodeString`: padded standard alphabet, line breaks ignored; `undefined` when it is not base64. */
function base64Text(text: string): string | undefined {
  const compact = text.replace(/[\r\n]/g, '')
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(compact)) return undefined
  return Buffer.from(compact, 'base64').toString('utf8')
}

/**
 * gofeed's `ResolveURL`: a reference resolved against the `xml:base` in effect, whose path is
 * taken as a directory (gofeed adds the missing `/`); unchanged with no base.
 */
function resolveAgainstBase(base: string, reference: string): string {
  if (base === '') return reference
  try {
    const url = new URL(base)
    if (reference !== '' && !url.pathname.endsWith('/')) url.pathname += '/'
    return new URL(reference, url).href
  } catch {
    return reference
  }
}
