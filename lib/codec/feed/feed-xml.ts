import { XMLParser } from 'fast-xml-parser'

/**
 * A feed's XML as gofeed's pull parser (goxpp over Go's `encoding/xml`) sees it: elements with
 * their local names and namespaces, attributes with their values decoded, and the text, CDATA and
 * comments between them kept as written, so that an element's inner XML can be given back.
 */
export type FeedNode = FeedElement | FeedLeaf

export interface FeedLeaf {
  readonly kind: 'text' | 'cdata' | 'comment'
  /** As written: references not decoded. */
  readonly raw: string
}

export interface FeedElement {
  readonly kind: 'element'
  /** The name as written, `dc:creator`. */
  readonly qname: string
  /** The local name, `creator`. */
  readonly name: string
  /**
   * The namespace as Go's decoder gives it: the URI bound to the prefix (or the default one), or
   * the prefix itself when it is not declared, or `''`.
   */
  readonly space: string
  /** goxpp's `Spaces` in scope here: each declared namespace URI to its prefix, lower-cased (`''` for the default one). */
  readonly spaces: ReadonlyMap<string, string>
  readonly attrs: readonly FeedAttr[]
  readonly children: readonly FeedNode[]
  /** The `xml:base` in effect here, resolved against the enclosing ones; `''` when none. */
  readonly base: string
}

export interface FeedAttr {
  /** As written, `xml:lang`. */
  readonly qname: string
  /** The local name, `lang`. */
  readonly name: string
  /** `xmlns` for declarations, the bound URI for other prefixed names, else `''` (as Go's decoder). */
  readonly space: string
  /** With the XML references decoded (`&amp;`, `&#65;`); others are kept, as Go's lenient decoder does. */
  readonly value: string
  /** As written; `undefined` for an attribute without a value (`<a flag>`). */
  readonly raw: string | undefined
}

const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace'

/**
 * Parses a document into its root element (the first one; what precedes it is skipped, as
 * gofeed's `FindRoot` does). The parser (fast-xml-parser) is lenient where Go's non-strict decoder
 * is (unknown references, unclosed elements), refuses nesting deeper than 100 elements, and
 * refuses elements and attributes named `__proto__`, `constructor` or `prototype`.
 */
export function parseFeedXml(text: string): FeedElement | undefined {
  const nodes = PARSER.parse(text) as RawNode[]
  const root = nodes.find((node) => elementName(node) !== undefined)
  return root === undefined ? undefined : toElement(root, new Map(), new Map(), '')
}

/** The value of the first attribute with this local name, whatever its prefix (goxpp's `Attribute`); `''` when none. */
export function attribute(element: FeedElement, name: string): string {
  return element.attrs.find((attr) => attr.name === name)?.value ?? ''
}

/** The child elements, in order. */
export function childElements(element: FeedElement): FeedElement[] {
  return element.children.filter((child): child is FeedElement => child.kind === 'element')
}

/** The element's content as written (Go's `,innerxml`), rebuilt from the tree. */
export function innerXml(element: FeedElement): string {
  let out = ''
  for (const child of element.children) out += outerXml(child)
  return out
}

function outerXml(node: FeedNode): string {
  switch (node.kind) {
    case 'text':
      return node.raw
    case 'cdata':
      return `<![CDATA[${node.raw}]]>`
    case 'comment':
      return `<!--${node.raw}-->`
    default: {
      let open = `<${node.qname}`
      for (const attr of node.attrs) {
        if (attr.raw === undefined) open += ` ${attr.qname}`
        else open += attr.raw.includes('"') ? ` ${attr.qname}='${attr.raw}'` : ` ${attr.qname}="${attr.raw}"`
      }
      return node.children.length === 0 ? `${open}/>` : `${open}>${innerXml(node)}</${node.qname}>`
    }
  }
}

/** Decodes what Go's decoder decodes in attribute values and text: XML's five names and numeric references. */
export function decodeXmlReferences(raw: string): string {
  if (!raw.includes('&')) return raw
  return raw.replace(/&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(lt|gt|amp|apos|quot));/g, (whole, hex: string, dec: string, name: string) => {
    if (name !== undefined) return XML_NAMED[name]!
    const code = hex !== undefined ? Number.parseInt(hex, 16) : Number.parseInt(dec, 10)
    return code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) ? whole : String.fromCodePoint(code)
  })
}

const XML_NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' }

// fast-xml-parser's ordered shape: [{ name: [children], ':@': { attr: raw } }, { '#text': raw }, ...]
type RawNode = Record<string, unknown>
const TEXT = '#text'
const CDATA = '#cdata'
const COMMENT = '#comment'
const ATTRIBUTES = ':@'

const PARSER = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  allowBooleanAttributes: true,
  parseTagValue: false,
  parseAttributeValue: false,
  // Text, references and CDATA stay as written: gofeed reads an element's raw inner XML.
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: CDATA,
  commentPropName: COMMENT,
})

function elementName(node: RawNode): string | undefined {
  for (const key of Object.keys(node)) if (key !== ATTRIBUTES && key !== TEXT && key !== CDATA && key !== COMMENT) return key
  return undefined
}

/** Builds one element, resolving names the way Go's decoder and goxpp do, with the scope of its parent. */
function toElement(node: RawNode, parentPrefixes: ReadonlyMap<string, string>, parentSpaces: ReadonlyMap<string, string>, parentBase: string): FeedElement {
  const qname = elementName(node)!
  const rawAttrs = (node[ATTRIBUTES] ?? {}) as Record<string, string | boolean>
  let prefixes = parentPrefixes
  let spaces = parentSpaces
  for (const [key, raw] of Object.entries(rawAttrs)) {
    const value = typeof raw === 'string' ? decodeXmlReferences(raw) : ''
    if (key === 'xmlns' || key.startsWith('xmlns:')) {
      const prefix = key === 'xmlns' ? '' : key.slice(6)
      if (prefixes === parentPrefixes) prefixes = new Map(parentPrefixes)
      if (spaces === parentSpaces) spaces = new Map(parentSpaces)
      ;(prefixes as Map<string, string>).set(prefix, value)
      ;(spaces as Map<string, string>).set(value.trim(), prefix.trim().toLowerCase())
    }
  }
  const attrs: FeedAttr[] = Object.entries(rawAttrs).map(([key, raw]) => {
    const { prefix, local } = splitName(key)
    const space = prefix === '' ? '' : prefix === 'xmlns' ? 'xmlns' : prefix === 'xml' ? XML_NAMESPACE : (prefixes.get(prefix) ?? prefix)
    return { qname: key, name: local, space, value: typeof raw === 'string' ? decodeXmlReferences(raw) : '', raw: typeof raw === 'string' ? raw : undefined }
  })
  const { prefix, local } = splitName(qname)
  const space = prefix === 'xml' ? XML_NAMESPACE : (prefixes.get(prefix) ?? prefix)
  const declaredBase = attrs.find((attr) => attr.name === 'base' && attr.space === XML_NAMESPACE)?.value
  const base = declaredBase === undefined || declaredBase === '' ? parentBase : resolveUrl(parentBase, declaredBase)
  const children: FeedNode[] = []
  for (const child of (node[qname] ?? []) as RawNode[]) {
    if (TEXT in child) children.push({ kind: 'text', raw: String(child[TEXT]) })
    else if (CDATA in child) children.push({ kind: 'cdata', raw: leafText(child[CDATA]) })
    else if (COMMENT in child) children.push({ kind: 'comment', raw: leafText(child[COMMENT]) })
    else if (elementName(child) !== undefined) children.push(toElement(child, prefixes, spaces, base))
  }
  return { kind: 'element', qname, name: local, space, spaces, attrs, children, base }
}

function leafText(value: unknown): string {
  return Array.isArray(value) ? value.map((part: RawNode) => String(part[TEXT] ?? '')).join('') : String(value ?? '')
}

function splitName(qname: string): { prefix: string; local: string } {
  const colon = qname.indexOf(':')
  return colon === -1 ? { prefix: '', local: qname } : { prefix: qname.slice(0, colon), local: qname.slice(colon + 1) }
}

/** Resolves a reference against a base (WHATWG URL); with no base, or one that does not parse, the reference as it is. */
export function resolveUrl(base: string, reference: string): string {
  if (base === '') return reference
  try {
    return new URL(reference, base).href
  } catch {
    return reference
  }
}
