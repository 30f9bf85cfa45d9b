import t from 'tap'
import { json, startBackends } from '../../helpers/http-backend.js'
import { runGateway } from '../../helpers/run-cli.js'

const user = { id: 7, name: 'Ada', email: 'ada@example.com', address: { city: 'London', zip: 'SW1' }, password: 'x' }
const wrapped = { data: { user, meta: { page: 1 } } }
const posts = [
  { id: 1, title: 'One', body: 'long' },
  { id: 2, title: 'Two', body: 'long' },
]

t.test('allow, deny, group, target, mapping, is_collection, in Lura order', async (t) => {
  const [users, envelope, feed] = await startBackends(t, json(user), json(wrapped), json(posts))
  const backend = (host: string, extra: Record<string, unknown>) => ({ host: [host], url_pattern: '/x', ...extra })
  const endpoint = (path: string, ...backends: Record<string, unknown>[]) => ({ endpoint: path, backend: backends })
  const { base } = await runGateway(t, {
    endpoints: [
      endpoint('/allow', backend(users!.url, { allow: ['name', 'address.city'] })),
      endpoint('/deny', backend(users!.url, { deny: ['password', 'address.zip'] })),
      endpoint('/allow-wins', backend(users!.url, { allow: ['name'], deny: ['name'] })),
      endpoint('/group', backend(users!.url, { allow: ['name'], group: 'person' })),
      endpoint('/target', backend(envelope!.url, { target: 'data.user', allow: ['name'] })),
      endpoint('/mapping', backend(users!.url, { allow: ['name', 'email'], mapping: { email: 'contact' } })),
      endpoint('/collection', backend(feed!.url, { is_collection: true })),
      endpoint('/collection-mapped', backend(feed!.url, { is_collection: true, mapping: { collection: 'posts' } })),
      endpoint('/everything', backend(envelope!.url, { target: 'data', allow: ['user.name', 'meta'], mapping: { meta: 'paging' }, group: 'g' })),
    ],
  })
  const get = async (path: string) => (await fetch(base + path)).json()
  t.same(await get('/allow'), { name: 'Ada', address: { city: 'London' } })
  t.same(await get('/deny'), { id: 7, name: 'Ada', email: 'ada@example.com', address: { city: 'London' } })
  t.same(await get('/allow-wins'), { name: 'Ada' }, 'allow wins over deny')
  t.same(await get('/group'), { person: { name: 'Ada' } })
  t.same(await get('/target'), { name: 'Ada' })
  t.same(await get('/mapping'), { name: 'Ada', contact: 'ada@example.com' })
  t.same(await get('/collection'), { collection: posts })
  t.same(await get('/collection-mapped'), { posts })
  t.same(await get('/everything'), { g: { user: { name: 'Ada' }, paging: { page: 1 } } })
})

t.test('flatmap_filter on a backend and on the endpoint', async (t) => {
  const [feed, users] = await startBackends(t, json({ posts }), json(user))
  const { base } = await runGateway(t, {
    endpoints: [
      {
        endpoint: '/titles',
        backend: [
          {
            host: [feed!.url],
            url_pattern: '/x',
            extra_config: {
              proxy: {
                flatmap_filter: [
                  { type: 'move', args: ['posts.*.title', 'posts.*.headline'] },
                  { type: 'del', args: ['posts.*.body'] },
                ],
              },
            },
          },
        ],
      },
      {
        endpoint: '/merged',
        extra_config: { proxy: { flatmap_filter: [{ type: 'del', args: ['password'] }, { type: 'move', args: ['address.city', 'city'] }] } },
        backend: [
          { host: [users!.url], url_pattern: '/x' },
          { host: [feed!.url], url_pattern: '/x', allow: ['posts.id'] },
        ],
      },
    ],
  })
  t.same(await (await fetch(`${base}/titles`)).json(), {
    posts: [
      { id: 1, headline: 'One' },
      { id: 2, headline: 'Two' },
    ],
  })
  const merged = (await (await fetch(`${base}/merged`)).json()) as Record<string, unknown>
  t.equal(merged.city, 'London', 'endpoint flatmap runs on the merged answer')
  t.notOk('password' in merged)
  t.same(merged.posts, [{ id: 1 }, { id: 2 }])
})
