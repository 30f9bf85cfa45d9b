import t from 'tap'
import { rssDecoder, type RssDecoderOptions } from '../../lib/codec/rss-decoder.js'

/** Feeds the body in chunks of `chunk` bytes, as the transport does. */
const decode = (text: string, options: RssDecoderOptions = {}, chunk = 7) => {
  const bytes = Buffer.from(text)
  const decoder = rssDecoder(options)(bytes.length)
  for (let at = 0; at < bytes.length; at += chunk) decoder.write(bytes.subarray(at, at + chunk))
  return decoder.end()
}

// What KrakenD answers for these documents: krakend-rss's map of gofeed v1.1.3's universal feed,
// written by Go's encoding/json (item fields in struct order, empty ones left out).
const RSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:media="http://search.yahoo.com/mrss/">
  <channel>
    <title>Zoë's notes</title>
    <link>https://example.com/</link>
    <description>Notes &amp; sketches</description>
    <language>en-gb</language>
    <copyright>© 2024 Zoë</copyright>
    <managingEditor>zoe@example.com (Zoë Tanaka)</managingEditor>
    <pubDate>Mon, 01 Jan 2024 09:00:00 GMT</pubDate>
    <lastBuildDate>Tue, 02 Jan 2024 10:30:00 +0100</lastBuildDate>
    <category>art</category>
    <category domain="https://example.com/tags">ink</category>
    <image><url>https://example.com/logo.png</url><title>Logo</title><link>https://example.com/</link></image>
    <item>
      <title>First sketch</title>
      <link>https://example.com/1</link>
      <description><![CDATA[<p>A <b>bold</b> start</p>]]></description>
      <content:encoded><![CDATA[<p>The whole post</p>]]></content:encoded>
      <author>ada@example.com (Ada)</author>
      <guid isPermaLink="false">post-1</guid>
      <pubDate>Tue, 02 Jan 2024 10:30:00 +0100</pubDate>
      <category>ink</category>
      <enclosure url="https://example.com/1.mp3" length="1234" type="audio/mpeg"/>
      <itunes:duration>12:34</itunes:duration>
      <itunes:image href="https://example.com/1-cover.jpg"/>
      <media:thumbnail url="https://example.com/1.jpg" width="120"/>
    </item>
    <item>
      <title>Second</title>
      <dc:creator>Grace Hopper</dc:creator>
      <dc:date>2024-01-03T08:00:00+02:00</dc:date>
      <dc:subject>code</dc:subject>
    </item>
  </channel>
</rss>`

const noExtension = (name: string, value: string, attrs: Record<string, string> = {}) => ({ name, value, attrs, children: {} })

const RSS_DOCUMENT = {
  author: { name: 'Zoë Tanaka', email: 'zoe@example.com' },
  categories: ['art', 'ink'],
  copyright: '© 2024 Zoë',
  custom: null,
  description: 'Notes & sketches',
  img_url: 'https://example.com/logo.png',
  items: [
    {
      title: 'First sketch',
      description: '<p>A <b>bold</b> start</p>',
      content: '<p>The whole post</p>',
      link: 'https://example.com/1',
      published: 'Tue, 02 Jan 2024 10:30:00 +0100',
      publishedParsed: '2024-01-02T09:30:00Z',
      author: { name: 'Ada', email: 'ada@example.com' },
      guid: 'post-1',
      image: { url: 'https://example.com/1-cover.jpg' },
      categories: ['ink'],
      enclosures: [{ url: 'https://example.com/1.mp3', length: '1234', type: 'audio/mpeg' }],
      itunesExt: { duration: '12:34', image: 'https://example.com/1-cover.jpg' },
      extensions: {
        itunes: {
          duration: [noExtension('duration', '12:34')],
          image: [noExtension('image', '', { href: 'https://example.com/1-cover.jpg' })],
        },
        media: { thumbnail: [noExtension('thumbnail', '', { url: 'https://example.com/1.jpg', width: '120' })] },
      },
    },
    {
      title: 'Second',
      published: '2024-01-03T08:00:00+02:00',
      publishedParsed: '2024-01-03T08:00:00+02:00',
      author: { name: 'Grace Hopper' },
      categories: ['code'],
      dcExt: { creator: ['Grace Hopper'], subject: ['code'], date: ['2024-01-03T08:00:00+02:00'] },
      extensions: {
        dc: {
          creator: [noExtension('creator', 'Grace Hopper')],
          date: [noExtension('date', '2024-01-03T08:00:00+02:00')],
          subject: [noExtension('subject', 'code')],
        },
      },
    },
  ],
  language: 'en-gb',
  published: 'Mon, 01 Jan 2024 09:00:00 GMT',
  title: "Zoë's notes",
  type: 'rss',
  updated: 'Tue, 02 Jan 2024 10:30:00 +0100',
}

const ATOM = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en" xmlns:media="http://search.yahoo.com/mrss/">
  <title type="text">Example Feed</title>
  <subtitle type="html">A &lt;em&gt;lot&lt;/em&gt; of effort</subtitle>
  <link href="http://example.org/"/>
  <updated>2003-12-13T18:30:02Z</updated>
  <author><name>John Doe</name><email>john@example.org</email></author>
  <logo>http://example.org/logo.png</logo>
  <rights>© 2003</rights>
  <category term="tech"/>
  <entry>
    <title>Atom-Powered Robots Run Amok</title>
    <link rel="self" href="http://example.org/self"/>
    <link href="http://example.org/2003/12/13/atom03"/>
    <link rel="enclosure" type="audio/mpeg" length="1337" href="http://example.org/audio/ph34r_my_podcast.mp3"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <updated>2003-12-13T18:30:02+01:00</updated>
    <published>2003-12-13T08:29:29-04:00</published>
    <summary>Some text.</summary>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>This is <b>XHTML</b> content &amp; it's fine.<br/></p></div></content>
    <media:thumbnail url="http://example.org/t.jpg" width="75"/>
  </entry>
</feed>`

const ATOM_DOCUMENT = {
  author: { name: 'John Doe', email: 'john@example.org' },
  categories: ['tech'],
  copyright: '© 2003',
  custom: null,
  description: 'A <em>lot</em> of effort',
  img_url: 'http://example.org/logo.png',
  items: [
    {
      title: 'Atom-Powered Robots Run Amok',
      description: 'Some text.',
      content: '<p>This is <b>XHTML</b> content &amp; it&#39;s fine.<br/></p>',
      link: 'http://example.org/2003/12/13/atom03',
      updated: '2003-12-13T18:30:02+01:00',
      updatedParsed: '2003-12-13T17:30:02Z',
      published: '2003-12-13T08:29:29-04:00',
      publishedParsed: '2003-12-13T12:29:29Z',
      guid: 'urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a',
      enclosures: [{ url: 'http://example.org/audio/ph34r_my_podcast.mp3', length: '1337', type: 'audio/mpeg' }],
      extensions: { media: { thumbnail: [noExtension('thumbnail', '', { url: 'http://example.org/t.jpg', width: '75' })] } },
    },
  ],
  language: 'en',
  published: '',
  title: 'Example Feed',
  type: 'atom',
  updated: '2003-12-13T18:30:02Z',
}

t.test('an RSS 2.0 feed: the document KrakenD makes of it', async (t) => {
  const document = decode(RSS)
  t.strictSame(document, RSS_DOCUMENT)
  t.same(Object.keys(document), Object.keys(RSS_DOCUMENT), 'keys in the order Go writes a map: sorted')
  t.same(Object.keys((document.items as object[])[0]!), Object.keys(RSS_DOCUMENT.items[0]!), "item fields in the order of gofeed's Item")
})

t.test('an Atom 1.0 feed: the document KrakenD makes of it', async (t) => {
  t.strictSame(decode(ATOM), ATOM_DOCUMENT)
})

t.test("krakend-rss's own test feed", async (t) => {
  const feed = `<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0">
<channel>
  <title>W3Schools Home Page</title>
  <link>https://www.w3schools.com</link>
  <description>Free web building tutorials</description>
  <image>
    <url>https://www.w3schools.com/pretty_image.png</url>
    <description>Free web building tutorials</description>
  </image>
  <language>en_us</language>
  <item>
    <title>RSS Tutorial</title>
    <link>https://www.w3schools.com/xml/xml_rss.asp</link>
    <description>New RSS tutorial on W3Schools</description>
  </item>
  <item>
    <title>XML Tutorial</title>
    <link>https://www.w3schools.com/xml</link>
    <description>New XML tutorial on W3Schools</description>
  </item>
</channel>
</rss>`
  t.strictSame(decode(feed), {
    author: null,
    categories: null,
    copyright: '',
    custom: null,
    description: 'Free web building tutorials',
    img_url: 'https://www.w3schools.com/pretty_image.png',
    items: [
      { title: 'RSS Tutorial', description: 'New RSS tutorial on W3Schools', link: 'https://www.w3schools.com/xml/xml_rss.asp' },
      { title: 'XML Tutorial', description: 'New XML tutorial on W3Schools', link: 'https://www.w3schools.com/xml' },
    ],
    language: 'en_us',
    published: '',
    title: 'W3Schools Home Page',
    type: 'rss',
    updated: '',
  })
})

t.test('RSS 1.0 (RDF): items beside the channel', async (t) => {
  const feed = `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
      xmlns:dc="http://purl.org/dc/elements/1.1/">
    <channel rdf:about="https://example.com/"><title>RDF news</title><link>https://example.com/</link><description>d</description>
      <items><rdf:Seq><rdf:li rdf:resource="https://example.com/a"/></rdf:Seq></items></channel>
    <item rdf:about="https://example.com/a"><title>A</title><link>https://example.com/a</link><dc:date>2024-01-03T08:00:00Z</dc:date></item>
  </rdf:RDF>`
  t.strictSame(decode(feed), {
    author: null,
    categories: null,
    copyright: '',
    custom: null,
    description: 'd',
    items: [
      {
        title: 'A',
        link: 'https://example.com/a',
        published: '2024-01-03T08:00:00Z',
        publishedParsed: '2024-01-03T08:00:00Z',
        dcExt: { date: ['2024-01-03T08:00:00Z'] },
        extensions: { dc: { date: [noExtension('date', '2024-01-03T08:00:00Z')] } },
      },
    ],
    language: '',
    published: '',
    title: 'RDF news',
    type: 'rss',
    updated: '',
  })
})

t.test('a JSON Feed: dates keep their offset, attachments become enclosures', async (t) => {
  const feed = JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: 'J',
    icon: 'https://example.com/i.png',
    author: { name: 'Ada (ada@example.com)' },
    items: [
      {
        id: '1',
        url: 'https://example.com/1',
        content_text: 'hi',
        date_published: '2010-02-07T14:04:00-05:00',
        tags: ['a'],
        attachments: [{ url: 'https://example.com/1.mp3', mime_type: 'audio/mpeg' }],
      },
    ],
  })
  t.strictSame(decode(feed), {
    author: { name: 'Ada', email: 'ada@example.com' },
    categories: null,
    copyright: '',
    custom: null,
    description: '',
    img_url: 'https://example.com/i.png',
    items: [
      {
        content: 'hi',
        link: 'https://example.com/1',
        published: '2010-02-07T14:04:00-05:00',
        publishedParsed: '2010-02-07T14:04:00-05:00',
        guid: '1',
        categories: ['a'],
        enclosures: [{ url: 'https://example.com/1.mp3', length: '0', type: 'audio/mpeg' }],
      },
    ],
    language: '',
    published: '2010-02-07T14:04:00-05:00',
    title: 'J',
    type: 'json',
    updated: '',
  })
})

t.test('a feed split across chunks, a character split between two of them', async (t) => {
  const feed = '<rss><channel><title>Zoë</title><item><title>日本</title></item></channel></rss>'
  const split = Buffer.from(feed).indexOf(Buffer.from('ë')) + 1
  const decoder = rssDecoder()(undefined)
  const bytes = Buffer.from(feed)
  decoder.write(bytes.subarray(0, split))
  decoder.write(bytes.subarray(split))
  t.match(decoder.end(), { title: 'Zoë', items: [{ title: '日本' }] })
  t.match(decode(feed, {}, 1), { title: 'Zoë', items: [{ title: '日本' }] }, 'one byte at a time')
})

t.test("gofeed's detection: white space and byte order marks before the document", async (t) => {
  t.match(decode('\ufeff\n  <rss><channel><title>x</title></channel></rss>'), { type: 'rss', title: 'x' })
  t.match(decode('\r\n<feed xmlns="http://www.w3.org/2005/Atom"><title>y</title></feed>'), { type: 'atom', title: 'y' })
})

t.test('what is not a feed throws, for BACKEND_DECODE', async (t) => {
  const bodies = {
    empty: '',
    'white space': ' \n ',
    garbage: 'this is not a feed',
    'an HTML page': '<!DOCTYPE html><html><head><title>Hi</title></head><body><p>Hello<br></p></body></html>',
    'XML with another root': '<user><name>Ada</name></user>',
    'a cut-off feed': '<rss><channel><title>News</title><item><title>One',
    'a JSON array': '[{"title":"x"}]',
    'a JSON Feed field of the wrong type': '{"title": 5, "items": []}',
    'broken JSON': '{"title": "x",',
  }
  for (const [what, body] of Object.entries(bodies)) t.throws(() => decode(body), {}, what)
  t.throws(() => decode('<rss><channel><constructor>1</constructor></channel></rss>'), {}, 'names that would touch prototypes are refused')
  t.throws(() => decode(`<rss>${'<a>'.repeat(150)}${'</a>'.repeat(150)}</rss>`), {}, 'nesting deeper than 100 elements is refused')
})

t.test('allow and deny apply to the decoded document, inside items too', async (t) => {
  t.same(decode(RSS, { allow: ['title', 'items.title'] }), { title: "Zoë's notes", items: [{ title: 'First sketch' }, { title: 'Second' }] })
  const denied = decode(ATOM, { deny: ['items', 'custom', 'author.email'] })
  t.same(Object.keys(denied), ['author', 'categories', 'copyright', 'description', 'img_url', 'language', 'published', 'title', 'type', 'updated'])
  t.same(denied.author, { name: 'John Doe' })
})

t.test('one decoder factory serves many bodies, each on its own', async (t) => {
  const factory = rssDecoder()
  for (const title of ['a', 'b']) {
    const decoder = factory(undefined)
    decoder.write(Buffer.from(`<rss><channel><title>${title}</title></channel></rss>`))
    t.match(decoder.end(), { title })
  }
})
