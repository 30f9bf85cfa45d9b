import t from 'tap'
import { cacheControl, deltaSeconds } from '../../lib/middleware/cache-control.js'
import {
  answerHead,
  currentAge,
  freshened,
  freshness,
  httpDate,
  keepFor,
  reuse,
  storable,
  usableOnError,
  varyNames,
} from '../../lib/middleware/http-cache-rules.js'

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0)
const date = (ms: number) => new Date(ms).toUTCString()
/** An answer that arrived at NOW (sent 10 ms before), with these headers and a Date of NOW unless given. */
const head = (headers: Record<string, string>, status = 200) => answerHead(status, { date: date(NOW), ...headers }, NOW - 10, NOW)
const fresh = (headers: Record<string, string>) => freshness(head(headers))
const none = cacheControl(undefined)

t.test('Cache-Control: directives by lower-case name, arguments unquoted, the first of a duplicate wins', async (t) => {
  const directives = cacheControl('Public, MAX-AGE=60, s-maxage="300", private="set-cookie, x-a", max-age=5, no-cache')
  t.same([...directives], [
    ['public', true],
    ['max-age', '60'],
    ['s-maxage', '300'],
    ['private', 'set-cookie, x-a'],
    ['no-cache', true],
  ])
  t.same([...cacheControl(['no-store', 'max-age=1'])], [['no-store', true], ['max-age', '1']], 'repeated lines read as one list')
  t.same([...cacheControl(' , ,max-age = 7 ,')], [['max-age', '7']], 'empty members and spaces')
  t.same([...cacheControl('a="x\\"y", b')], [['a', 'x"y'], ['b', true]], 'an escaped quote')
  t.equal(deltaSeconds(cacheControl('max-age=60'), 'max-age'), 60)
  t.equal(deltaSeconds(cacheControl('max-age=99999999999'), 'max-age'), 2 ** 31, 'capped at 2^31 (RFC 9111 §1.2.2)')
  t.ok(Number.isNaN(deltaSeconds(cacheControl('max-age=-1'), 'max-age')!), 'negative: invalid')
  t.ok(Number.isNaN(deltaSeconds(cacheControl('max-age'), 'max-age')!), 'no argument: invalid')
  t.equal(deltaSeconds(cacheControl('public'), 'max-age'), undefined, 'absent')
})

t.test('HTTP dates: the three forms of RFC 9110 §5.6.7, anything else is no date', async (t) => {
  const sunday = Date.UTC(1994, 10, 6, 8, 49, 37)
  t.equal(httpDate('Sun, 06 Nov 1994 08:49:37 GMT'), sunday, 'IMF-fixdate')
  t.equal(httpDate('Sunday, 06-Nov-94 08:49:37 GMT'), sunday, 'RFC 850')
  t.equal(httpDate('Sun Nov  6 08:49:37 1994'), sunday, 'asctime')
  t.equal(httpDate('0'), undefined, 'Expires: 0 is not a date (Date.parse reads it as 2000)')
  t.equal(httpDate('-1'), undefined)
  t.equal(httpDate('Sun, 31 Feb 1994 08:49:37 GMT'), undefined, 'a day the month does not have')
  t.equal(httpDate('2025-01-15T12:00:00Z'), undefined, 'ISO 8601 is not an HTTP date')
})

t.test('freshness lifetime (RFC 9111 §4.2.1, shared cache): s-maxage, then max-age, then Expires minus Date', async (t) => {
  t.equal(fresh({ 'cache-control': 'max-age=60' }).lifetime, 60_000)
  t.equal(fresh({ 'cache-control': 'max-age=60, s-maxage=300' }).lifetime, 300_000, 's-maxage wins in a shared cache')
  t.equal(fresh({ 'cache-control': 'max-age=60', expires: date(NOW + 3_600_000) }).lifetime, 60_000, 'max-age wins over Expires, even when Expires is longer')
  t.equal(fresh({ 'cache-control': 'max-age=60', expires: date(NOW) }).lifetime, 60_000, '... or shorter')
  t.equal(fresh({ expires: date(NOW + 120_000) }).lifetime, 120_000, 'Expires minus Date')
  t.equal(fresh({ expires: date(NOW + 120_000), date: date(NOW - 60_000) }).lifetime, 180_000, "counted from the answer's own Date")
  t.equal(fresh({ expires: '0' }).lifetime, 0, 'an invalid Expires: already expired')
  t.equal(fresh({ expires: date(NOW - 1000) }).lifetime, 0, 'an Expires in the past')
  t.equal(fresh({ 'cache-control': 'max-age=soon' }).lifetime, 0, 'an invalid max-age: stale')
  t.equal(fresh({}).lifetime, 0, 'nothing: no heuristic freshness')
})

t.test('age (RFC 9111 §4.2.3): the Age received, the apparent age and the time kept', async (t) => {
  t.equal(fresh({}).initialAge, 10, 'a Date of its arrival: the time the request took')
  t.equal(fresh({ age: '30' }).initialAge, 30_010, 'Age plus the time the request took')
  t.equal(fresh({ date: date(NOW - 5000) }).initialAge, 5000, 'the apparent age, when larger')
  t.equal(fresh({ age: 'x' }).initialAge, 10, 'an invalid Age is ignored')
  t.equal(currentAge(fresh({ age: '30' }), NOW + 1000), 31_010, 'plus the time it has been kept')
  t.equal(freshness(answerHead(200, {}, NOW - 10, NOW)).initialAge, 10, 'no Date: the time it arrived stands for it')
})

t.test('storable by a shared cache (RFC 9111 §3)', async (t) => {
  const ok = { 'cache-control': 'max-age=60' }
  t.ok(storable('GET', {}, head(ok)))
  t.ok(storable('HEAD', {}, head(ok)))
  t.notOk(storable('POST', {}, head(ok)), 'not a POST')
  t.notOk(storable('GET', {}, head({ 'cache-control': 'no-store, max-age=60' })), 'no-store')
  t.notOk(storable('GET', { 'cache-control': 'no-store' }, head(ok)), "the request's no-store")
  t.notOk(storable('GET', {}, head({ 'cache-control': 'private, max-age=60' })), 'private: not in a shared cache')
  t.notOk(storable('GET', {}, head({ 'cache-control': 'private="set-cookie", max-age=60' })), 'private with field names too')
  t.notOk(storable('GET', {}, head({ 'cache-control': 'max-age=60', vary: 'accept, *' })), 'Vary: *')
  t.notOk(storable('GET', {}, head(ok, 206)), 'a partial answer')
  t.notOk(storable('GET', {}, head({})), 'no freshness and no validator: nothing to do with it')
  t.notOk(storable('GET', {}, head({ 'cache-control': 'max-age=0' })), 'max-age=0')
  t.ok(storable('GET', {}, head({ etag: '"v1"' })), 'no freshness, but a validator: kept to be validated')
  t.ok(storable('GET', {}, head({ 'cache-control': 'no-cache', 'last-modified': date(NOW - 1000) })), 'no-cache with a validator')
  t.ok(storable('GET', {}, head({ expires: date(NOW + 60_000) })), 'Expires')
  t.ok(storable('GET', {}, head({ 'cache-control': 'no-store, must-understand, max-age=60' })), 'must-understand with a status the cache knows: no-store is ignored')
  t.notOk(storable('GET', {}, head({ 'cache-control': 'must-understand, max-age=60' }, 201)), 'must-understand with a status it does not know')
  t.test('a request with Authorization: only an answer that says it may be shared', async (t) => {
    const auth = { authorization: 'Bearer x' }
    t.notOk(storable('GET', auth, head(ok)))
    t.ok(storable('GET', auth, head({ 'cache-control': 'public, max-age=60' })), 'public')
    t.ok(storable('GET', auth, head({ 'cache-control': 's-maxage=60' })), 's-maxage')
    t.ok(storable('GET', auth, head({ 'cache-control': 'must-revalidate, max-age=60' })), 'must-revalidate')
  })
})

t.test('Vary: the header names, lower case, once each; * matches nothing', async (t) => {
  t.same(varyNames(head({ vary: 'Accept-Language, accept-language ,X-Tenant' })), ['accept-language', 'x-tenant'])
  t.same(varyNames(head({})), [])
  t.equal(varyNames(head({ vary: '*' })), '*')
})

t.test('reuse (RFC 9111 §4.2, §5.2.1): fresh, or validated first', async (t) => {
  const minute = fresh({ 'cache-control': 'max-age=60' })
  t.equal(reuse(minute, none, NOW + 30_000), 'use', 'fresh')
  t.equal(reuse(minute, none, NOW + 60_000), 'validate', 'at the end of its lifetime: stale')
  t.equal(reuse(fresh({ 'cache-control': 'no-cache, max-age=60' }), none, NOW), 'validate', "the answer's no-cache: always validated")
  t.equal(reuse(minute, cacheControl('no-cache'), NOW), 'validate', "the request's no-cache")
  t.equal(reuse(minute, cacheControl('max-age=10'), NOW + 5000), 'use', "within the request's max-age")
  t.equal(reuse(minute, cacheControl('max-age=10'), NOW + 20_000), 'validate', "older than the request's max-age")
  t.equal(reuse(minute, cacheControl('max-age=0'), NOW), 'validate', 'max-age=0: validated')
  t.equal(reuse(minute, cacheControl('min-fresh=20'), NOW + 30_000), 'use', 'fresh for 30 s more')
  t.equal(reuse(minute, cacheControl('min-fresh=40'), NOW + 30_000), 'validate', 'not fresh for 40 s more')
  t.equal(reuse(minute, cacheControl('max-stale=30'), NOW + 80_000), 'use', 'stale by 20 s, within max-stale')
  t.equal(reuse(minute, cacheControl('max-stale=30'), NOW + 100_000), 'validate', 'stale by 40 s')
  t.equal(reuse(minute, cacheControl('max-stale'), NOW + 10_000_000), 'use', 'max-stale without a value: any staleness')
  t.equal(reuse(fresh({ 'cache-control': 'max-age=60, must-revalidate' }), cacheControl('max-stale'), NOW + 80_000), 'validate', 'must-revalidate: never stale')
  t.equal(reuse(fresh({ 'cache-control': 'max-age=60, proxy-revalidate' }), cacheControl('max-stale'), NOW + 80_000), 'validate', 'proxy-revalidate')
  t.equal(reuse(fresh({ 'cache-control': 's-maxage=60' }), cacheControl('max-stale'), NOW + 80_000), 'validate', 's-maxage implies proxy-revalidate')
  t.equal(reuse(fresh({ 'cache-control': 'max-age=60', age: '50' }), none, NOW + 20_000), 'validate', 'an answer 50 s old when it came is stale 10 s later')
})

t.test('stale-if-error (RFC 5861): within its window, unless serving stale is forbidden', async (t) => {
  const withWindow = fresh({ 'cache-control': 'max-age=60, stale-if-error=30' })
  t.ok(usableOnError(withWindow, none, NOW + 80_000), 'stale by 20 s')
  t.notOk(usableOnError(withWindow, none, NOW + 100_000), 'stale by 40 s')
  t.notOk(usableOnError(fresh({ 'cache-control': 'max-age=60' }), none, NOW + 61_000), 'no window')
  t.ok(usableOnError(fresh({ 'cache-control': 'max-age=60' }), cacheControl('stale-if-error=120'), NOW + 100_000), "the request's window")
  t.notOk(usableOnError(fresh({ 'cache-control': 'max-age=60, stale-if-error=30, must-revalidate' }), none, NOW + 70_000), 'must-revalidate')
  t.notOk(usableOnError(fresh({ 'cache-control': 'no-cache, stale-if-error=30' }), none, NOW), 'no-cache')
})

t.test('kept while fresh, then while it may stand in or be validated', async (t) => {
  t.equal(keepFor(fresh({ 'cache-control': 'max-age=60' }), NOW + 10_000), 49_990, 'the rest of its lifetime')
  t.equal(keepFor(fresh({ 'cache-control': 'max-age=60, stale-if-error=30' }), NOW), 89_990, 'and its stale-if-error window')
  t.equal(keepFor(fresh({ 'cache-control': 'max-age=600', etag: '"a"' }), NOW), 1_199_990, 'with a validator: as long again')
  t.equal(keepFor(fresh({ etag: '"a"' }), NOW), 60_000, 'a minute at least')
  t.equal(keepFor(fresh({ 'cache-control': 'max-age=60' }), NOW + 120_000), 0, 'stale, nothing to validate it with: not at all')
})

t.test('a 304 freshens the stored head (RFC 9111 §4.3.4)', async (t) => {
  const stored = head({ 'cache-control': 'max-age=60', etag: '"v1"', 'x-other': 'kept?' })
  const later = NOW + 120_000
  const updated = freshened(stored, { 'cache-control': 'max-age=30', date: date(later) }, later - 5, later)
  t.equal(updated.headers['cache-control'], 'max-age=30', "the 304's headers win")
  t.equal(updated.headers.etag, '"v1"', 'the others stay')
  t.equal(updated.responseTime, later)
  t.equal(reuse(freshness(updated), none, later + 10_000), 'use', 'fresh again, by its new lifetime')
  t.equal(reuse(freshness(updated), none, later + 31_000), 'validate')
})
