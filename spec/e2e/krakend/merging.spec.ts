import t from 'tap'
import { json, startBackends } from '../../helpers/http-backend.js'
import { runGateway } from '../../helpers/run-cli.js'

t.test('several backends merge into one object; a failed one leaves a partial answer', async (t) => {
  const [users, carts, broken] = await startBackends(
    t,
    json({ id: 1, name: 'Ada', password: 'secret' }),
    json({ items: [{ sku: 'A', qty: 1 }], total: 9 }),
    json({ error: 'down' }, 0, 503),
  )
  const { base } = await runGateway(t, {
    timeout: '1s',
    endpoints: [
      {
        endpoint: '/page/{id}',
        backend: [
          { host: [users!.url], url_pattern: '/users/{id}', deny: ['password'] },
          { host: [carts!.url], url_pattern: '/carts/{id}', group: 'cart' },
        ],
      },
      {
        endpoint: '/partial/{id}',
        backend: [
          { host: [users!.url], url_pattern: '/users/{id}', allow: ['name'] },
          { host: [broken!.url], url_pattern: '/broken' },
        ],
      },
      { endpoint: '/down', backend: [{ host: [broken!.url], url_pattern: '/broken' }] },
    ],
  })

  const page = await fetch(`${base}/page/1`)
  t.equal(page.status, 200)
  t.equal(page.headers.get('x-rxgate-completed'), 'true')
  t.same(await page.json(), { id: 1, name: 'Ada', cart: { items: [{ sku: 'A', qty: 1 }], total: 9 } })
  t.equal(users!.seen[0]?.url, '/users/1')
  t.match(users!.seen[0]?.headers['user-agent'], /^rxgate\/\d+\.\d+\.\d+$/)

  const partial = await fetch(`${base}/partial/1`)
  t.equal(partial.status, 200)
  t.equal(partial.headers.get('x-rxgate-completed'), 'false')
  t.same(await partial.json(), { name: 'Ada' })

  const down = await fetch(`${base}/down`)
  t.equal(down.status, 500, 'every backend failed')
  t.equal(down.headers.get('x-rxgate-completed'), 'false')
})

t.test('a backend past the endpoint timeout is cut off, and its request aborted', async (t) => {
  const [fast, slow] = await startBackends(t, json({ fast: true }), json({ slow: true }, 5000))
  const { base } = await runGateway(t, {
    endpoints: [
      {
        endpoint: '/race',
        timeout: '300ms',
        backend: [
          { host: [fast!.url], url_pattern: '/fast' },
          { host: [slow!.url], url_pattern: '/slow' },
        ],
      },
    ],
  })
  const started = performance.now()
  const res = await fetch(`${base}/race`)
  t.ok(performance.now() - started < 2000, 'answered at the endpoint timeout')
  t.equal(res.headers.get('x-rxgate-completed'), 'false')
  t.same(await res.json(), { fast: true })
  t.equal(await slow!.seen[0]?.aborted, true)
})
