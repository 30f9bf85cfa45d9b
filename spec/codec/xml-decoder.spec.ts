import t from 'tap'
import { XML_MAX_NESTING_DEPTH, xmlDecoder } from '../../lib/codec/xml-decoder.js'
import { depthOf } from '../helpers/deep.js'

const factory = xmlDecoder()
const decode = (text: string, chunk = 5) => {
  const bytes = Buffer.from(text)
  const decoder = factory(bytes.length)
  for (let at = 0; at < bytes.length; at += chunk) decoder.write(bytes.subarray(at, at + chunk))
  return decoder.end()
}

t.test('the shapes of KrakenD (mxj): root key, -attributes, #text, arrays for repeated elements, strings', async (t) => {
  t.same(decode('<users><user id="1">Ada</user><user id="2">Grace</user><count>2</count></users>'), {
    users: { user: [{ '-id': '1', '#text': 'Ada' }, { '-id': '2', '#text': 'Grace' }], count: '2' },
  })
  t.same(decode('<a flag="true" n="1.50"/>'), { a: { '-flag': 'true', '-n': '1.50' } }, 'no number or boolean guessing')
  t.same(decode('<a>  padded  </a>'), { a: 'padded' }, 'text is trimmed')
  t.same(decode('<a><b/><c></c></a>'), { a: { b: '', c: '' } }, 'empty elements are empty strings')
  t.same(decode('<a>&lt;&amp;&gt;&quot;&apos;&#65;&#x42;</a>'), { a: `<&>"'AB` }, "XML's entities and numeric references")
  t.same(decode('<p>Zoë 🚀</p>', 1), { p: 'Zoë 🚀' }, 'characters split across chunks')
  t.same(decode('<x:a xmlns:x="urn:x"><x:b>1</x:b></x:a>'), { 'x:a': { '-xmlns:x': 'urn:x', 'x:b': '1' } }, 'prefixes are kept')
})

t.test('one decoder factory serves many bodies, each on its own', async (t) => {
  t.same(decode('<a>1</a>'), { a: '1' })
  t.same(decode('<b>2</b>'), { b: '2' })
})

t.test('what is not one well-formed document throws, for BACKEND_DECODE', async (t) => {
  for (const text of ['', '3', 'not xml', '<a>', '<a></b>', '<a/><b/>', '<a b="1" b="2"/>']) {
    t.throws(() => decode(text), {}, JSON.stringify(text))
  }
  t.throws(() => decode('<a><constructor>1</constructor></a>'), {}, 'names that would touch prototypes are refused')
  t.match(String((() => { try { decode('<a>') } catch (error) { return error } })()), /line 1/, 'the message says where')
})

t.test('nesting: 100 elements deep at most (the parser limit), or the backend limit when lower', async (t) => {
  const nested = (depth: number) => `${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}`
  t.equal(depthOf(decode(nested(100), 4096)), 100)
  t.throws(() => decode(nested(101), 4096), { name: 'NestingTooDeepError', maxNestingDepth: XML_MAX_NESTING_DEPTH })
  t.throws(() => decode(nested(100_000), 64 * 1024), { name: 'NestingTooDeepError' }, '100,000 levels refused without a stack overflow')
  const shallow = xmlDecoder({ maxNestingDepth: 3 })
  const once = (text: string) => {
    const decoder = shallow(undefined)
    decoder.write(Buffer.from(text))
    return decoder.end()
  }
  t.same(once(nested(3)), { a: { a: { a: 'x' } } })
  t.throws(() => once(nested(4)), { name: 'NestingTooDeepError', maxNestingDepth: 3 })
  const one = xmlDecoder({ maxNestingDepth: 1 })(undefined)
  one.write(Buffer.from('<a><b>x</b></a>'))
  t.throws(() => one.end(), { maxNestingDepth: 1 }, 'the lowest limit')
  const more = xmlDecoder({ maxNestingDepth: 10_000 })(undefined)
  more.write(Buffer.from(nested(101)))
  t.throws(() => more.end(), { maxNestingDepth: XML_MAX_NESTING_DEPTH }, 'never more than the parser reads')
})
