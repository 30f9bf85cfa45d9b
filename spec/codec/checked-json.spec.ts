import t from 'tap'
import { CheckedJson, checkedJsonDecoder } from '../../lib/codec/checked-json.js'
import { NestingTooDeepError } from '../../lib/codec/depth.js'

function decode(chunks: readonly string[], maxNestingDepth?: number): CheckedJson {
  const decoder = checkedJsonDecoder(maxNestingDepth)(undefined)
  for (const chunk of chunks) decoder.write(Buffer.from(chunk))
  return decoder.end()
}

t.test('a whole document, in one chunk or many: its bytes as they came, nothing parsed', async (t) => {
  const text = '{ "name": "Ada",\n "n": 1.0, "tags": ["é"] }'
  t.equal(decode([text]).bytes.toString(), text)
  t.equal(decode(['{ "name": "A', 'da",\n "n": 1.', '0, "tags": ["é"] }']).bytes.toString(), text)
  t.equal(decode(['\ufeff' + text]).bytes.toString(), text, 'a byte order mark is left out')
})

t.test('what is not one whole JSON document throws, as JSON.parse would', async (t) => {
  for (const chunks of [['{"a":1'], ['{"a":1}', 'x'], [''], ['{"a":01}'], ['[1,]']]) {
    t.throws(() => decode(chunks), SyntaxError, JSON.stringify(chunks))
  }
  t.throws(() => decode(['[[[[', ']]]]'], 3), NestingTooDeepError, 'deeper than the limit')
  t.equal(decode(['[[[', ']]]'], 3).bytes.toString(), '[[[]]]', 'at the limit')
})
