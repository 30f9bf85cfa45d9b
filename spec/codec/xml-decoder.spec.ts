import t from 'tap'
import { xmlDecoder } from '../../lib/codec/xml-decoder.js'

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
