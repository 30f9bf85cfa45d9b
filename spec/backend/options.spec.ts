import t from 'tap'
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_REDIRECTS, DEFAULT_SUCCESS_STATUS, httpCall } from '../../lib/backend/index.js'
import { resolveOptions } from '../../lib/backend/options.js'

t.test('defaults', async (t) => {
  t.same(resolveOptions('http://api/x'), {
    method: 'GET',
    headers: [],
    query: [],
    allow: [],
    deny: [],
    encoding: 'json',
    http2: false,
    maxBodyBytes: 128 * 1024 * 1024,
    maxNestingDepth: 10_000,
    successStatus: [200, 201],
    maxRedirects: 10,
    tls: undefined,
    verbatim: false,
    streamVerbatimAbove: undefined,
  })
  t.equal(resolveOptions('http://api/x', { verbatim: true }).verbatim, true)
  t.equal(resolveOptions('http://api/x', { verbatim: true, encoding: 'safejson' }).verbatim, false, 'json only')
  t.equal(resolveOptions('http://api/x', { verbatim: true, streamVerbatimAbove: 65536 }).streamVerbatimAbove, 65536)
  t.equal(resolveOptions('http://api/x', { streamVerbatimAbove: 65536 }).streamVerbatimAbove, undefined, 'with verbatim only')
  t.equal(resolveOptions('http://api/x', { verbatim: true, encoding: 'string', streamVerbatimAbove: 65536 }).streamVerbatimAbove, undefined, 'json only')
  t.equal(DEFAULT_MAX_BODY_BYTES, 128 * 1024 * 1024)
  t.equal(DEFAULT_MAX_REDIRECTS, 10)
  t.same(DEFAULT_SUCCESS_STATUS, [200, 201])
  t.equal(resolveOptions('http://api/x', { headers: ['*'] }).headers, '*', "KrakenD's [\"*\"] means all")
  t.equal(resolveOptions('http://api/x', { method: 'post' }).method, 'POST')
  t.equal(resolveOptions('http://api/x', { maxNestingDepth: 64 }).maxNestingDepth, 64)
})

t.test('a bad definition fails at creation with BAD_BACKEND, saying what is wrong', async (t) => {
  const bad = [
    { method: 'GET /x' },
    { encoding: 'yaml' },
    { encoding: 'JSON' },
    { encoding: 'string', allow: ['a'] },
    { encoding: 'no-op', deny: ['a'] },
    { allow: ['a..b'] },
    { deny: [''] },
    { maxBodyBytes: -1 },
    { verbatim: true, streamVerbatimAbove: -1 },
    { verbatim: true, streamVerbatimAbove: 1.5 },
    { maxRedirects: 1.5 },
    { maxNestingDepth: 0 },
    { maxNestingDepth: 2.5 },
    { maxNestingDepth: '100' },
    { successStatus: [2000] },
    { http2: 'yes' },
    { headers: 'Authorization' },
    { query: [''] },
  ]
  for (const options of bad) {
    t.throws(() => httpCall('http://api/x', options as never), { code: 'RXGATE_ERR_BAD_BACKEND' }, JSON.stringify(options))
  }
})

t.test('every KrakenD encoding the transport reads is accepted; allow and deny where a value is decoded', async (t) => {
  for (const encoding of ['json', 'safejson', 'xml', 'string', 'no-op'] as const) {
    t.equal(resolveOptions('http://api/x', { encoding }).encoding, encoding)
  }
  for (const encoding of ['json', 'safejson', 'xml'] as const) {
    t.same(resolveOptions('http://api/x', { encoding, allow: ['a.b'], deny: ['c'] }).allow, ['a.b'])
  }
})
