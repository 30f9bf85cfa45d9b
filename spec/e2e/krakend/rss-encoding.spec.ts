import t from 'tap'
import { json, startBackends } from '../../helpers/http-backend.js'
import { runGateway } from '../../helpers/run-cli.js'

const text = (body: string, type: string) => (_req: unknown, res: import('node:http').ServerResponse) =>
  res.writeHead(200, { 'Content-Type': type }).end(body)

const FEED = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
  <title>Zoë's notes</title>
  <description>Notes &amp; sketches</description>
  <language>en</language>
  <item><title>First</title><link>https://example.com/1</link><pubDate>Tue, 02 Jan 2024 10:30:00 +0100</pubDate></item>
  <item><title>Second</title><link>https://example.com/2</link></item>
</channel></rss>`

t.test('backend encoding rss: a feed merged with a json backend, as KrakenD merges them', async (t) => {
  const [feed, user, page] = await startBackends(
    t,
    text(FEED, 'application/rss+xml'),
    json({ user: 'ada', title: 'from json' }),
    text('<!DOCTYPE html><html><body><p>Not a feed</p></body></html>', 'text/html'),
  )
  const { base } = await runGateway(t, {
    endpoints: [
      {
        endpoint: '/merged',
        backend: [
          { host: [user!.url], url_pattern: '/' },
          { host: [feed!.url], url_pattern: '/feed.rss', encoding: 'rss' },
        ],
      },
      {
        endpoint: '/trimmed',
        backend: [
          { host: [user!.url], url_pattern: '/', allow: ['user'] },
          { host: [feed!.url], url_pattern: '/feed.rss', encoding: 'rss', allow: ['title', 'items.title'], group: 'news' },
        ],
      },
      {
        endpoint: '/broken',
        backend: [
          { host: [user!.url], url_pattern: '/' },
          { host: [page!.url], url_pattern: '/', encoding: 'rss' },
        ],
      },
    ],
  })

  const merged = await fetch(`${base}/merged`)
  t.equal(merged.headers.get('x-rxgate-completed'), 'true')
  t.strictSame(await merged.json(), {
    user: 'ada',
    title: "Zoë's notes",
    author: null,
    categories: null,
    copyright: '',
    custom: null,
    description: 'Notes & sketches',
    items: [
      {
        title: 'First',
        link: 'https://example.com/1',
        published: 'Tue, 02 Jan 2024 10:30:00 +0100',
        publishedParsed: '2024-01-02T09:30:00Z',
      },
      { title: 'Second', link: 'https://example.com/2' },
    ],
    language: 'en',
    published: '',
    type: 'rss',
    updated: '',
  }, "the feed's keys merged over the json backend's")

  t.strictSame(await (await fetch(`${base}/trimmed`)).json(), {
    user: 'ada',
    news: { title: "Zoë's notes", items: [{ title: 'First' }, { title: 'Second' }] },
  }, 'allow reaches into the items; group nests the feed')

  const broken = await fetch(`${base}/broken`)
  t.equal(broken.status, 200)
  t.equal(broken.headers.get('x-rxgate-completed'), 'false', 'an HTML page is not a feed: that backend failed')
  t.strictSame(await broken.json(), { user: 'ada', title: 'from json' }, 'the rest is answered')
})
