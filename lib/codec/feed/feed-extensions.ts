import { goTrimSpace } from './feed-text.js'
import { decodeXmlReferences, type FeedElement } from './feed-xml.js'

/**
 * gofeed's extension elements: an element outside the feed's own namespaces, kept as a tree.
 * `Extensions` maps a prefix (`dc`, `itunes`, `media`...) to element names to their occurrences,
 * which JSON shows as `{ "name", "value", "attrs", "children" }`.
 */
export type Extensions = Map<string, Map<string, Extension[]>>

export interface Extension {
  readonly name: string
  readonly value: string
  readonly attrs: Map<string, string>
  readonly children: Map<string, Extension[]>
}

/**
 * gofeed's `IsExtension`: whether an element is an extension. One whose namespace the document
 * declared is one unless that prefix is `''`, `rss`, `rdf` or `content`; an undeclared one is
 * one when it has a namespace at all.
 */
export function isExtension(element: FeedElement): boolean {
  const prefix = element.spaces.get(element.space.trim())
  if (prefix !== undefined) return !(prefix === '' || prefix === 'rss' || prefix === 'rdf' || prefix === 'content')
  return element.space !== ''
}

/** gofeed's `ParseExtension`: files the element under its canonical prefix and local name. */
export function addExtension(extensions: Extensions, element: FeedElement): void {
  const prefix = CANONICAL_PREFIXES.get(element.space) ?? element.spaces.get(element.space) ?? element.space
  let byName = extensions.get(prefix)
  if (!byName) extensions.set(prefix, (byName = new Map()))
  const list = byName.get(element.name)
  if (list) list.push(extensionOf(element))
  else byName.set(element.name, [extensionOf(element)])
}

function extensionOf(element: FeedElement): Extension {
  const attrs = new Map<string, string>()
  for (const attr of element.attrs) attrs.set(attr.name, attr.value)
  const children = new Map<string, Extension[]>()
  let value = ''
  for (const child of element.children) {
    if (child.kind === 'text') value += decodeXmlReferences(child.raw)
    else if (child.kind === 'cdata') value += child.raw
    else if (child.kind === 'element') {
      const list = children.get(child.name)
      if (list) list.push(extensionOf(child))
      else children.set(child.name, [extensionOf(child)])
    }
  }
  return { name: element.name, value: goTrimSpace(value), attrs, children }
}

/** The extensions as Go's `encoding/json` writes them: maps with their keys sorted. */
export function extensionsJson(extensions: Extensions): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const prefix of [...extensions.keys()].sort()) setOwn(out, prefix, extensionListsJson(extensions.get(prefix)!))
  return out
}

function extensionListsJson(byName: Map<string, Extension[]>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const name of [...byName.keys()].sort()) setOwn(out, name, byName.get(name)!.map(extensionJson))
  return out
}

function extensionJson(extension: Extension): Record<string, unknown> {
  const attrs: Record<string, string> = {}
  for (const name of [...extension.attrs.keys()].sort()) setOwn(attrs, name, extension.attrs.get(name)!)
  return { name: extension.name, value: extension.value, attrs, children: extensionListsJson(extension.children) }
}

/** Sets a key as an own property, `__proto__` included: names come from the document. */
function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true })
}

/** The first value of an element of an extension (gofeed's `parseTextExtension`), `''` when none. */
export function firstValue(byName: Map<string, Extension[]> | undefined, name: string): string {
  return byName?.get(name)?.[0]?.value ?? ''
}

/** Every value of an element of an extension (gofeed's `parseTextArrayExtension`). */
export function allValues(byName: Map<string, Extension[]> | undefined, name: string): string[] | undefined {
  const list = byName?.get(name)
  return list && list.length > 0 ? list.map((extension) => extension.value) : undefined
}

// Namespaces whose prefix gofeed fixes whatever the document calls them (from feedparser).
const CANONICAL_PREFIXES: ReadonlyMap<string, string> = new Map([
  ['http://webns.net/mvcb/', 'admin'],
  ['http://purl.org/rss/1.0/modules/aggregation/', 'ag'],
  ['http://purl.org/rss/1.0/modules/annotate/', 'annotate'],
  ['http://media.tangent.org/rss/1.0/', 'audio'],
  ['http://backend.userland.com/blogChannelModule', 'blogChannel'],
  ['http://creativecommons.org/ns#license', 'cc'],
  ['http://web.resource.org/cc/', 'cc'],
  ['http://cyber.law.harvard.edu/rss/creativeCommonsRssModule.html', 'creativeCommons'],
  ['http://backend.userland.com/creativeCommonsRssModule', 'creativeCommons'],
  ['http://purl.org/rss/1.0/modules/company', 'co'],
  ['http://purl.org/rss/1.0/modules/content/', 'content'],
  ['http://my.theinfo.org/changed/1.0/rss/', 'cp'],
  ['http://purl.org/dc/elements/1.1/', 'dc'],
  ['http://purl.org/dc/terms/', 'dcterms'],
  ['http://purl.org/rss/1.0/modules/email/', 'email'],
  ['http://purl.org/rss/1.0/modules/event/', 'ev'],
  ['http://rssnamespace.org/feedburner/ext/1.0', 'feedburner'],
  ['http://freshmeat.net/rss/fm/', 'fm'],
  ['http://xmlns.com/foaf/0.1/', 'foaf'],
  ['http://www.w3.org/2003/01/geo/wgs84_pos#', 'geo'],
  ['http://www.georss.org/georss', 'georss'],
  ['http://www.opengis.net/gml', 'gml'],
  ['http://postneo.com/icbm/', 'icbm'],
  ['http://purl.org/rss/1.0/modules/image/', 'image'],
  ['http://www.itunes.com/DTDs/PodCast-1.0.dtd', 'itunes'],
  ['http://example.com/DTDs/PodCast-1.0.dtd', 'itunes'],
  ['http://purl.org/rss/1.0/modules/link/', 'l'],
  ['http://search.yahoo.com/mrss', 'media'],
  ['http://search.yahoo.com/mrss/', 'media'],
  ['http://madskills.com/public/xml/rss/module/pingback/', 'pingback'],
  ['http://prismstandard.org/namespaces/1.2/basic/', 'prism'],
  ['http://www.w3.org/1999/02/22-rdf-syntax-ns#', 'rdf'],
  ['http://www.w3.org/2000/01/rdf-schema#', 'rdfs'],
  ['http://purl.org/rss/1.0/modules/reference/', 'ref'],
  ['http://purl.org/rss/1.0/modules/richequiv/', 'reqv'],
  ['http://purl.org/rss/1.0/modules/search/', 'search'],
  ['http://purl.org/rss/1.0/modules/slash/', 'slash'],
  ['http://schemas.xmlsoap.org/soap/envelope/', 'soap'],
  ['http://purl.org/rss/1.0/modules/servicestatus/', 'ss'],
  ['http://hacks.benhammersley.com/rss/streaming/', 'str'],
  ['http://purl.org/rss/1.0/modules/subscription/', 'sub'],
  ['http://purl.org/rss/1.0/modules/syndication/', 'sy'],
  ['http://schemas.pocketsoap.com/rss/myDescModule/', 'szf'],
  ['http://purl.org/rss/1.0/modules/taxonomy/', 'taxo'],
  ['http://purl.org/rss/1.0/modules/threading/', 'thr'],
  ['http://purl.org/rss/1.0/modules/textinput/', 'ti'],
  ['http://madskills.com/public/xml/rss/module/trackback/', 'trackback'],
  ['http://wellformedweb.org/commentAPI/', 'wfw'],
  ['http://purl.org/rss/1.0/modules/wiki/', 'wiki'],
  ['http://www.w3.org/1999/xhtml', 'xhtml'],
  ['http://www.w3.org/1999/xlink', 'xlink'],
  ['http://www.w3.org/XML/1998/namespace', 'xml'],
  ['http://podlove.org/simple-chapters', 'psc'],
])
