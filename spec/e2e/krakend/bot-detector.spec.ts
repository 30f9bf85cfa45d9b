import t from 'tap'
import { json, startBackends } from '../../helpers/http-backend.js'
import { rawRequest } from '../../helpers/raw-request.js'
import { cli, runGateway, writeConfig } from '../../helpers/run-cli.js'

const as = (userAgent: string | undefined) => ({ headers: userAgent === undefined ? {} : { 'user-agent': userAgent } })

t.test('security/bot-detector at the service: allow, deny, patterns and the empty User-Agent, on every path', async (t) => {
  const [api] = await startBackends(t, json({ ok: true }))
  const { base } = await runGateway(t, {
    extra_config: {
      'security/bot-detector': {
        allow: ['MyAndroidClient/1.0', 'Pingdom.com_bot_version_1.1'],
        deny: ['facebookexternalhit/1.1'],
        patterns: ['(Pingdom.com_bot_version_).*', '(?i)(crawler|spider)'],
        empty_user_agent_is_bot: true,
      },
    },
    endpoints: [{ endpoint: '/ok', backend: [{ host: [api!.url], url_pattern: '/' }] }],
  })
  const status = async (userAgent: string | undefined, path = '/ok') => (await rawRequest(base, path, as(userAgent))).status
  t.equal(await status('Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0'), 200)
  t.equal(await status('MyAndroidClient/1.0'), 200, 'allowed')
  t.equal(await status('Pingdom.com_bot_version_1.1'), 200, 'allow is read before the patterns')
  t.equal(await status('Pingdom.com_bot_version_1.2'), 403, 'a pattern')
  t.equal(await status('facebookexternalhit/1.1'), 403, 'denied')
  t.equal(await status('Mozilla/5.0 (compatible; SuperSpider/1.0)'), 403, "a pattern in Go's syntax: (?i)")
  t.equal(await status(undefined), 403, 'no User-Agent, with empty_user_agent_is_bot')
  t.equal(await status('facebookexternalhit/1.1', '/nowhere'), 403, 'before routing: any path')
  const refused = await rawRequest(base, '/ok', as('facebookexternalhit/1.1'))
  t.match(JSON.parse(refused.body), { error: { code: 'RXGATE_ERR_FORBIDDEN', message: /^bot rejected/ } })
  t.equal(api!.seen.length, 3, 'only the three requests let through reached the backend')
})

t.test('security/bot-detector on an endpoint: that endpoint only, before its backends', async (t) => {
  const [api] = await startBackends(t, json({ ok: true }))
  const { base } = await runGateway(t, {
    endpoints: [
      {
        endpoint: '/guarded',
        extra_config: { 'github_com/devopsfaith/krakend-botdetector': { patterns: ['(?i)curl'] } },
        backend: [{ host: [api!.url], url_pattern: '/' }],
      },
      { endpoint: '/open', backend: [{ host: [api!.url], url_pattern: '/' }] },
    ],
  })
  const refused = await rawRequest(base, '/guarded', as('curl/8.4.0'))
  t.equal(refused.status, 403, "under KrakenD's legacy namespace name too")
  t.match(JSON.parse(refused.body), { error: { code: 'RXGATE_ERR_FORBIDDEN' } })
  t.equal(api!.seen.length, 0, 'the backend never saw it')
  t.equal((await rawRequest(base, '/guarded', as('Mozilla/5.0'))).status, 200)
  t.equal((await rawRequest(base, '/open', as('curl/8.4.0'))).status, 200, 'other endpoints are not guarded')
})

t.test('security/bot-detector: with cache_size, a user agent is decided once', async (t) => {
  const decisions = (output: string, userAgent: string) =>
    output.split('\n').filter((line) => line.includes('"msg":"bot detector: user agent decided"') && line.includes(`"userAgent":"${userAgent}"`)).length
  const config = (cacheSize: number) => ({ extra_config: { 'security/bot-detector': { patterns: ['(?i)bot'], cache_size: cacheSize } }, endpoints: [] })

  const cached = await runGateway(t, config(100), '-l', 'debug')
  for (let i = 0; i < 3; i++) {
    t.equal((await rawRequest(cached.base, '/x', as('GoodBot/1.0'))).status, 403)
    t.equal((await rawRequest(cached.base, '/x', as('Mozilla/5.0 (Macintosh)'))).status, 404)
  }
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal(decisions(cached.gateway.output(), 'GoodBot/1.0'), 1, 'three requests, one decision')
  t.equal(decisions(cached.gateway.output(), 'Mozilla/5.0 (Macintosh)'), 1)

  const uncached = await runGateway(t, config(0), '-l', 'debug')
  for (let i = 0; i < 3; i++) await rawRequest(uncached.base, '/x', as('GoodBot/1.0'))
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal(decisions(uncached.gateway.output(), 'GoodBot/1.0'), 3, 'cache_size 0: every request is decided')
})

t.test('security/bot-detector: a 64 KB User-Agent against a pattern that would backtrack forever', async (t) => {
  const huge = `${'a'.repeat(64 * 1024)}!`
  const { base } = await runGateway(t, {
    max_header_bytes: 256 * 1024,
    extra_config: { 'security/bot-detector': { patterns: ['^(a+)+$', 'BadBot'], cache_size: 10 } },
    endpoints: [],
  })
  const started = performance.now()
  const answer = await rawRequest(base, '/x', as(huge))
  const ms = performance.now() - started
  t.equal(answer.status, 404, 'not a bot: on to routing')
  t.ok(ms < 2000, `answered in ${Math.round(ms)} ms: RE2 runs in linear time`)
  t.equal((await rawRequest(base, '/x', as(`${huge}BadBot`))).status, 403)
  t.equal((await rawRequest(base, '/x', as('Mozilla/5.0'))).status, 404, 'and the gateway serves on')

  const defaults = await runGateway(t, { extra_config: { 'security/bot-detector': { patterns: ['BadBot'] } }, endpoints: [] })
  t.equal((await rawRequest(defaults.base, '/x', as(huge))).status, 400, "without max_header_bytes, node's header limit (16 KiB) refuses it first")
})

t.test('security/bot-detector: check names every pattern RE2 refuses, with its JSON path, and rejects bad values', async (t) => {
  const { code, output } = await cli(
    'check',
    '-c',
    writeConfig({
      version: 3,
      host: ['http://127.0.0.1:1'],
      extra_config: { 'security/bot-detector': { patterns: ['ok', '(unclosed'], cache_size: -5 } },
      endpoints: [{ endpoint: '/a', extra_config: { 'security/bot-detector': { patterns: ['(?=lookahead)'], deny: 'curl' } }, backend: [{ url_pattern: '/' }] }],
    }),
  )
  t.equal(code, 1)
  t.match(output, /\/extra_config\/security~1bot-detector\/patterns\/1: is not a valid regular expression \(Go's RE2 syntax\): missing \): \(unclosed/)
  t.match(output, /\/extra_config\/security~1bot-detector\/cache_size: must be >= 0/)
  t.match(output, /\/endpoints\/0\/extra_config\/security~1bot-detector\/patterns\/0: is not a valid regular expression .*invalid perl operator: \(\?=/)
  t.match(output, /\/endpoints\/0\/extra_config\/security~1bot-detector\/deny: must be an array/)
  t.notMatch(output, /patterns\/0: .*"ok"/, 'a good pattern is not named')
})
