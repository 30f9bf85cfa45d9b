import t from 'tap'
import { jsonEncoder } from '../../lib/codec/json-encoder.js'

const schema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    age: { type: 'integer' },
    tags: { type: 'array', items: { type: 'string' } },
    address: { type: 'object', properties: { city: { type: 'string' } } },
  },
} as const

t.test('without a schema it is JSON.stringify', async (t) => {
  t.equal(jsonEncoder(), JSON.stringify)
})

t.test('a matching value gives the same text as JSON.stringify', async (t) => {
  const encode = jsonEncoder(schema)
  const value = { name: 'Ada', age: 36, tags: ['maths'], address: { city: 'London' } }
  t.equal(encode(value), JSON.stringify(value))
})

t.test('never drops undeclared keys, at any depth', async (t) => {
  const encode = jsonEncoder(schema)
  const value = { name: 'Ada', extra: { deep: [1, 2] }, address: { city: 'London', zip: 'SW1' } }
  t.same(JSON.parse(encode(value)), value)
})

t.test('never coerces a value of another type than declared', async (t) => {
  const encode = jsonEncoder(schema)
  for (const value of [{ name: 42 }, { age: '36' }, { age: 1.5 }, { tags: [1, null] }, { address: 'London' }, [1, 2], 'text', null]) {
    t.equal(encode(value), JSON.stringify(value), JSON.stringify(value))
  }
})

t.test('an explicit additionalProperties: false still keeps the extra keys', async (t) => {
  const encode = jsonEncoder({ type: 'object', properties: { a: { type: 'number' } }, additionalProperties: false })
  t.equal(encode({ a: 1, b: 2 }), '{"a":1,"b":2}')
})
