import t from 'tap'
import { NestingTooDeepError } from '../../lib/codec/depth.js'
import { parseJson } from '../../lib/codec/parse-json.js'
import { depthOf, nestedText } from '../helpers/deep.js'

t.test('parses text or bytes as JSON.parse does, a byte order mark skipped', async (t) => {
  t.same(parseJson('{"a":[1,2,"ü"]}'), { a: [1, 2, 'ü'] })
  t.same(parseJson(Buffer.from('\ufeff{"a":"é"}')), { a: 'é' })
  t.same(parseJson('\ufeff[]'), [])
  t.equal(parseJson('3'), 3)
  t.throws(() => parseJson('{"a":'), SyntaxError)
})

t.test('refuses documents nested deeper than the limit, 10,000 by default', async (t) => {
  for (const kind of ['arrays', 'objects'] as const) {
    t.equal(depthOf(parseJson(nestedText(10_000, kind))), 10_000, `${kind}: 10,000 levels pass`)
    t.throws(() => parseJson(nestedText(10_001, kind)), NestingTooDeepError, `${kind}: 10,001 do not`)
    t.throws(() => parseJson(Buffer.from(nestedText(10_001, kind))), NestingTooDeepError, `${kind}: as bytes`)
  }
  t.throws(() => parseJson(nestedText(100_000, 'arrays')), { name: 'NestingTooDeepError', maxNestingDepth: 10_000 })
})

t.test('takes another limit', async (t) => {
  t.same(parseJson('[[1]]', 2), [[1]])
  t.throws(() => parseJson('[[[1]]]', 2), { maxNestingDepth: 2 })
  t.throws(() => parseJson('{"a":{"b":{"c":"[[[[[[["}}}', 2), NestingTooDeepError)
  t.same(parseJson('{"a":"[[[[[[[[[[[[[[["}', 1), { a: '[[[[[[[[[[[[[[[' }, 'brackets in strings are text')
})
