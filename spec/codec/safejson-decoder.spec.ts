import t from 'tap'
import { safeJsonDecoder, wrapValue } from '../../lib/codec/safejson-decoder.js'

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
