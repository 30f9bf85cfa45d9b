import t from 'tap'
import { safeJsonDecoder, wrapValue } from '../../lib/codec/safejson-decoder.js'
import { DEEP_STACK, depthOf, innermost, nestedText, underDeepStack } from '../helpers/deep.js'

const decode = (text: string, options = {}, chunk = 7) => {
  const bytes = Buffer.from(text)
  const decoder = safeJsonDecoder(options)(undefined)
  for (let at = 0; at < bytes.length; at += chunk) decoder.write(bytes.subarray(at, at + chunk))
  return decoder.end()
}

t.test('wraps as KrakenD: collection for arrays, content for anything not an object', async (t) => {
  t.same(wrapValue({ a: 1 }), { a: 1 })
  t.same(wrapValue([1, 2]), { collection: [1, 2] })
  t.same(wrapValue('x'), { content: 'x' })
  t.same(wrapValue(0), { content: 0 })
  t.same(wrapValue(true), { content: true })
  t.same(wrapValue(null), { content: null })
})

t.test('parses or streams the same way, and prunes the wrapped value', async (t) => {
  const text = JSON.stringify([{ id: 1, secret: 's' }, { id: 2, secret: 't' }])
  const expected = { collection: [{ id: 1 }, { id: 2 }] }
  t.same(decode(text, { deny: ['collection.secret'] }), expected, 'parsed')
  t.same(decode(text, { deny: ['collection.secret'], threshold: 16 }), expected, 'streamed past a small threshold')
  t.same(decode('"é"', {}, 1), { content: 'é' }, 'a character split across chunks')
  t.same(decode('{"a":{"b":1,"c":2}}', { allow: ['a.b'] }), { a: { b: 1 } })
  t.throws(() => decode('[1,'), SyntaxError, 'an incomplete document throws, for BACKEND_DECODE')
})

t.test('nesting: the document as sent is counted, not the wrapper; parsed or streamed', async (t) => {
  for (const threshold of [undefined, 16]) {
    for (const kind of ['arrays', 'objects'] as const) {
      for (const depth of [5_000, 10_000]) {
        const value = underDeepStack(DEEP_STACK, () => decode(nestedText(depth, kind), { threshold }, 4096))
        t.equal(depthOf(value), kind === 'arrays' ? depth + 1 : depth, `${kind}: ${depth} levels${threshold ? ', streamed' : ''}`)
      }
      t.throws(() => decode(nestedText(10_001, kind), { threshold }, 4096), { name: 'NestingTooDeepError', maxNestingDepth: 10_000 })
    }
    t.throws(() => decode('[[[1]]]', { threshold, maxNestingDepth: 2 }), { maxNestingDepth: 2 }, 'a lower limit')
    t.same(decode('[[1]]', { threshold, maxNestingDepth: 2 }), { collection: [[1]] })
  }
})

t.test('nesting: allow and deny walk a 10,000-deep wrapped value safely', async (t) => {
  const text = nestedText(9_999, 'arrays', '{"id":1,"secret":2}')
  const value = underDeepStack(DEEP_STACK, () => decode(text, { deny: ['collection.secret'] }, 4096)) as { collection: unknown }
  t.same(innermost(value.collection), { id: 1 })
  t.throws(() => decode(nestedText(100_000, 'arrays'), {}, 64 * 1024), { name: 'NestingTooDeepError' }, '100,000 levels refused')
})
