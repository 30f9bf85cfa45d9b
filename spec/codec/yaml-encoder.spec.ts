import t from 'tap'
import { parse } from 'yaml'
import { yamlEncoder } from '../../lib/codec/yaml-encoder.js'

const encode = yamlEncoder()

t.test('plain YAML that reads back as the data', async (t) => {
  const shared = { id: 1 }
  const data = { name: 'Ada', n: '123', yes: 'true', empty: '', none: null, list: [shared, shared], nested: { a: [1, 2] } }
  const text = encode(data)
  t.same(parse(text), data)
  t.notMatch(text, /[&*]\w/, 'no anchors or aliases for an object met twice')
  t.equal(encode({ a: 1 }), 'a: 1\n')
  t.equal(encode(undefined), '')
})
