import { Writable } from 'node:stream'
import { pino } from 'pino'
import { map, pipe } from 'rxjs'
import t from 'tap'
import { backend } from '../../lib/backend/index.js'
import { gateway } from '../../lib/gateway.js'
import { botDetector, botDetectorProblems, compileBotDetector, endpointBotDetector, MAX_CACHED_USER_AGENT } from '../../lib/middleware/bot-detector.js'
import { fanOut, merge, timeoutEach } from '../../operators/index.js'
import { httpBackend, sendJson } from '../fixtures/backends.js'
import { rawRequest } from '../helpers/raw-request.js'
import { quiet, serveGateway } from '../helpers/serve-gateway.js'

/** A debug logger whose "user agent decided" lines are counted: one per decision actually made. */
function countingLogger() {
  const decided: string[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const line = JSON.parse(chunk.toString()) as { msg: string; userAgent: string }
      if (line.msg === 'bot detector: user agent decided') decided.push(line.userAgent)
      done()
    },
  })
  return { logger: pino({ level: 'debug' }, sink), decided }
}

const flush = () => new Promise((resolve) => setImmediate(resolve))

t.test('the rules, in KrakenD\'s order: empty, allow, deny, patterns', async (t) => {
  const isBot = compileBotDetector({
    allow: ['MyAndroidClient/1.0', 'Pingdom.com_bot_version_1.1'],
    deny: ['a', 'b'],
    patterns: ['(Pingdom.com_bot_version_).*', '(facebookexternalhit)/.*', '(?i)crawler'],
  })
  t.equal(isBot(''), false, 'an empty User-Agent passes unless empty_user_agent_is_bot')
  t.equal(isBot('MyAndroidClient/1.0'), false)
  t.equal(isBot('Pingdom.com_bot_version_1.1'), false, 'allow wins over a matching pattern')
  t.equal(isBot('Pingdom.com_bot_version_1.2'), true)
  t.equal(isBot('a'), true, 'deny is exact')
  t.equal(isBot('ab'), false, 'deny is not a substring match')
  t.equal(isBot('facebookexternalhit/1.1'), true)
  t.equal(isBot('Mozilla/5.0 (compatible; SuperCrawler/3)'), true, "Go's (?i) works: RE2's syntax")
  t.equal(isBot('Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0'), false)
  t.equal(isBot('myandroidclient/1.0'), false, 'allow is exact: another case is simply not listed (and matches nothing)')
  t.equal(compileBotDetector({ empty_user_agent_is_bot: true })(''), true)
  t.equal(compileBotDetector({})('anything'), false, 'no rules: nobody is a bot')
})

t.test('patterns are RE2: linear in the User-Agent, however they nest', async (t) => {
  const isBot = compileBotDetector({ patterns: ['(a+)+$', '(x|x)*y'] })
  const evil = `${'a'.repeat(30_000)}!`
  const started = performance.now()
  t.equal(isBot(evil), false)
  t.equal(isBot('x'.repeat(30_000)), false)
  t.ok(performance.now() - started < 1000, `decided in ${Math.round(performance.now() - started)} ms (a backtracking engine takes forever)`)
  const sameName = compileBotDetector({ patterns: ['(?P<v>bot)/1', '(?P<v>spider)'] })
  t.same([sameName('bot/1'), sameName('a spider'), sameName('human')], [true, true, false], 'patterns RE2 cannot join into one are matched each in turn')
})

t.test('bad options fail when the detector is made; the check names each bad pattern', async (t) => {
  t.throws(() => compileBotDetector({ patterns: ['ok', '(unclosed'] }), { code: 'RXGATE_ERR_BAD_ARGUMENT', message: /patterns\[1\] is not a valid regular expression.*missing \)/ })
  t.throws(() => compileBotDetector({ cache_size: -1 }), { code: 'RXGATE_ERR_BAD_ARGUMENT' })
  t.match(botDetectorProblems({ patterns: ['a{1001}', 'fine', '\\1', 'x**'] }), [
    { path: '/patterns/0', message: /invalid repetition size/ },
    { path: '/patterns/2', message: /invalid escape sequence/ },
    { path: '/patterns/3', message: /bad repetition operator/ },
  ])
})

t.test('with cache_size, each user agent is decided once; an LRU keeps that many', async (t) => {
  const { logger, decided } = countingLogger()
  const isBot = compileBotDetector({ patterns: ['bot'], cache_size: 2 }, logger)
  for (let round = 0; round < 3; round++) {
    t.equal(isBot('a bot'), true)
    t.equal(isBot('a person'), false)
  }
  await flush()
  t.same(decided, ['a bot', 'a person'], 'three rounds, two decisions')
  isBot('a third')
  isBot('a bot')
  await flush()
  t.same(decided.slice(2), ['a third', 'a bot'], 'past cache_size, the least recently used is decided again')

  const long = 'x'.repeat(MAX_CACHED_USER_AGENT + 1)
  isBot(long)
  isBot(long)
  await flush()
  t.equal(decided.filter((userAgent) => userAgent.startsWith('xxx')).length, 2, 'a User-Agent over 1 KiB is never cached: it cannot fill memory')

  const uncached = countingLogger()
  const always = compileBotDetector({ patterns: ['bot'] }, uncached.logger)
  always('a bot')
  always('a bot')
  await flush()
  t.equal(uncached.decided.length, 2, 'without cache_size, every request is decided')
})

t.test('at the service: every request, routed or not, and the health check too', async (t) => {
  const gw = gateway(quiet)
    .use(botDetector({ deny: ['BadBot/1.0', 'Robôt/1.0'], empty_user_agent_is_bot: true }))
    .get('/ok', map(() => ({ ok: true })))
  const base = await serveGateway(t, gw)
  t.equal((await rawRequest(base, '/ok', { headers: { 'user-agent': 'Mozilla/5.0' } })).status, 200)
  for (const path of ['/ok', '/nowhere', '/__health']) {
    const refused = await rawRequest(base, path, { headers: { 'user-agent': 'BadBot/1.0' } })
    t.equal(refused.status, 403, `${path}: refused`)
    t.match(JSON.parse(refused.body), { error: { code: 'RXGATE_ERR_FORBIDDEN', message: /^bot rejected/ } })
  }
  const utf8 = Buffer.from('Robôt/1.0').toString('latin1')
  t.equal((await rawRequest(base, '/ok', { headers: { 'user-agent': utf8 } })).status, 403, 'a User-Agent past ASCII is read as UTF-8, as Go reads it')
  t.equal((await rawRequest(base, '/ok')).status, 403, 'no User-Agent at all, with empty_user_agent_is_bot')
  t.equal((await rawRequest(base, '/ok', { headers: { 'user-agent': '' } })).status, 403, 'an empty one too')
})

t.test('on an endpoint: its bots are refused before any backend is called; other endpoints are not concerned', async (t) => {
  const prices = await httpBackend((_req, res) => sendJson(res, { price: 10 }))
  t.teardown(prices.close)
  const pipeline = pipe(fanOut({ prices: backend(`${prices.origin}/prices`) }), timeoutEach('1s'), merge())
  const gw = gateway(quiet)
    .get('/prices', endpointBotDetector({ patterns: ['(?i)scraper'] })(pipeline))
    .get('/open', pipeline)
  const base = await serveGateway(t, gw)
  const refused = await rawRequest(base, '/prices', { headers: { 'user-agent': 'PriceScraper/2' } })
  t.equal(refused.status, 403)
  t.match(JSON.parse(refused.body), { error: { code: 'RXGATE_ERR_FORBIDDEN' } })
  t.equal(prices.seen.length, 0, 'the backend never saw it')
  t.same(JSON.parse((await rawRequest(base, '/prices', { headers: { 'user-agent': 'Mozilla/5.0' } })).body), { price: 10 })
  t.equal((await rawRequest(base, '/open', { headers: { 'user-agent': 'PriceScraper/2' } })).status, 200)
})
