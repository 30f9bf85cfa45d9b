import { unescapeHtml } from './html-entities.js'
import type { FeedNode } from './feed-xml.js'

/**
 * Writes XML nodes the way Go's `html.Render` writes them once its HTML parser has read them, as
 * gofeed does (through goquery) for Atom `xhtml` content: tag and attribute names lower-cased,
 * attribute values in double quotes, text with its references decoded and then `&`, `'`, `<`,
 * `>` and `"` escaped (`&amp;`, `&#39;`, `&lt;`, `&gt;`, `&#34;`), void elements as `<br/>`,
 * script and style text as it is. What the HTML parser would move around (a `<div>` inside a
 * `<p>`, table repairs) stays where it was written.
 *
 * @example
 * renderGoHtml(parseFeedXml('<x><p class=\'a\'>Tom &amp; Jerry\'s<br/></p></x>')!.children)
 * // '<p class="a">Tom &amp; Jerry&#39;s<br/></p>'
 */
export function renderGoHtml(nodes: readonly FeedNode[], rawText = false): string {
  let out = ''
  for (const node of nodes) {
    switch (node.kind) {
      case 'text':
        out += rawText ? node.raw : escapeGoHtml(unescapeHtml(node.raw))
        break
      case 'cdata':
        // HTML has no CDATA outside foreign content: its parser keeps it as a comment.
        out += `<!--[CDATA[${node.raw}]]-->`
        break
      case 'comment':
        out += `<!--${node.raw}-->`
        break
      default: {
        const tag = node.qname.toLowerCase()
        let open = `<${tag}`
        for (const attr of node.attrs) open += ` ${attr.qname.toLowerCase()}="${escapeGoHtml(attr.raw === undefined ? '' : unescapeHtml(attr.raw))}"`
        if (VOID.has(tag)) out += `${open}/>`
        else out += `${open}>${renderGoHtml(node.children, RAW_TEXT.has(tag))}</${tag}>`
      }
    }
  }
  return out
}

/** Go's `html.EscapeString` as `html.Render` applies it (carriage returns as `&#13;`). */
function escapeGoHtml(text: string): string {
  return text.replace(/[&'<>"\r]/g, (c) => ESCAPES[c]!)
}

const ESCAPES: Record<string, string> = { '&': '&amp;', "'": '&#39;', '<': '&lt;', '>': '&gt;', '"': '&#34;', '\r': '&#13;' }

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'keygen', 'link', 'meta', 'param', 'source', 'track', 'wbr'])
const RAW_TEXT = new Set(['iframe', 'noembed', 'noframes', 'noscript', 'plaintext', 'script', 'style', 'xmp'])
