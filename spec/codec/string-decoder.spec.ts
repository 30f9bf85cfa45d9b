import t from 'tap'
import { stringDecoder } from '../../lib/codec/string-decoder.js'

t.test('joins the chunks as UTF-8, also when a character is split', async (t) => {
  const bytes = Buffer.from('héllo 🚀 wörld')
  const decoder = stringDecoder()(bytes.length)
  for (let at = 0; at < bytes.length; at += 1) decoder.write(bytes.subarray(at, at + 1))
  t.equal(decoder.end(), 'héllo 🚀 wörld')
  t.equal(stringDecoder()(undefined).end(), '', 'an empty body is an empty string')
})
