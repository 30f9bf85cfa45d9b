import t from 'tap'
import { xmlDecoder } from '../../lib/codec/xml-decoder.js'
import { xmlEncoder } from '../../lib/codec/xml-encoder.js'
import { ErrorCodes } from '../../lib/errors.js'
import { DEEP_STACK, nestedArrays, nestedObjects, underDeepStack } from '../helpers/deep.js'

const encode = xmlEncoder()
const decode = (text: string) => {
  const decoder = xmlDecoder()(undefined)
  decoder.write(Buffer.from(text))
  return decoder.end()
}

t.test('a lone key is the root; anything else goes under <doc>', async (t) => {
  t.equal(encode({ user: { name: 'Ada' } }), '<user><name>Ada</name></user>')
  t.equal(encode({ name: 'Ada', age: 36 }), '<doc><name>Ada</name><age>36</age></doc>')
  t.equal(encode({ tags: ['a', 'b'] }), '<doc><tags>a</tags><tags>b</tags></doc>', 'a lone array key repeats under <doc>')
  t.equal(encode([{ id: 1 }, { id: 2 }]), '<doc><item><id>1</id></item><item><id>2</id></item></doc>')
  t.equal(encode('hi & bye'), '<doc>hi &amp; bye</doc>')
})

t.test('-name keys are attributes and #text is text: a decoded document comes back as it was', async (t) => {
  const xml = '<Person id="1"><Email where="home"><Addr>a@x</Addr></Email><Email where="work"><Addr>b@x</Addr></Email><Note lang="en">hi</Note></Person>'
  t.equal(encode(decode(xml)), xml)
  t.equal(encode({ a: { '-q': `"<&'`, '#text': '<>' } }), '<a q="&quot;&lt;&amp;&apos;">&lt;&gt;</a>', 'escaped')
})

t.test('always well-formed: bad names and characters are replaced', async (t) => {
  const out = encode({ doc: { 'first name': 'x', '1st': 'y', 'a/b': 'z', '-': 'dash', ctl: 'a\u0000b', nested: [[1, 2], [3]] } })
  t.equal(out, '<doc><first_name>x</first_name><_1st>y</_1st><a_b>z</a_b><_->dash</_-><ctl>a\ufffdb</ctl><nested>1</nested><nested>2</nested><nested>3</nested></doc>')
  t.ok(decode(out), 'the output parses')
  t.equal(encode({ a: { '-obj': { x: 1 } } }), '<a><_-obj><x>1</x></_-obj></a>', 'an attribute key holding an object is an element')
})

t.test('deep data: arrays in arrays flatten at any depth; elements nest up to 100 levels, deeper is a RENDER error', async (t) => {
  underDeepStack(DEEP_STACK, () => {
    t.equal(encode(nestedArrays(10_000, { k: 1 })), '<doc><item><k>1</k></item></doc>', '10,000 arrays in arrays')
    t.equal(encode({ list: nestedArrays(10_000, 'x') }), '<doc><list>x</list></doc>')
    t.equal(encode(nestedObjects(100, 'x')), `${'<a>'.repeat(100)}x${'</a>'.repeat(100)}`, '100 levels of elements')
    for (const depth of [101, 10_000]) {
      t.throws(() => encode(nestedObjects(depth, 'x')), { code: ErrorCodes.RENDER, message: /deeper than the 100 levels/ }, `${depth} levels`)
    }
  })
})

t.test('a cycle or a BigInt is a RENDER error that names the value', async (t) => {
  const cyclic: { a: unknown[] } = { a: [1] }
  cyclic.a.push(cyclic)
  const looping: unknown[] = []
  looping.push([looping])
  t.throws(() => encode(cyclic), { code: ErrorCodes.RENDER, message: /"a\.1" is the answer again/ })
  t.throws(() => encode(looping), { code: ErrorCodes.RENDER, message: /cyclic/ }, 'arrays that hold themselves, flattened')
  t.throws(() => encode({ total: 12n }), { code: ErrorCodes.RENDER, message: /"total" is a BigInt/ })
  t.throws(() => encode({ '-id': 12n }), { code: ErrorCodes.RENDER, message: /BigInt/ }, 'as an attribute')
  t.throws(() => encode([[1n]]), { code: ErrorCodes.RENDER })
  t.throws(() => encode(1n), { code: ErrorCodes.RENDER })
})
