import t from 'tap'
import { jsonEncoder, stringifyJson } from '../../lib/codec/json-encoder.js'
import { ErrorCodes } from '../../lib/errors.js'
import { DEEP_STACK, nestedArrays, nestedObjects, nestedText, underDeepStack } from '../helpers/deep.js'

const schema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    age: { type: 'integer' },
    tags: { type: 'array', items: { type: 'string' } },
    address: { type: 'object', properties: { city: { type: 'string' } } },
  },
} as const

t.test('without a schema it is JSON.stringify that never overflows nor throws a TypeError', async (t) => {
  const encode = jsonEncoder()
  t.equal(encode, stringifyJson)
  for (const value of [{ a: [1, 'ü', null, undefined], d: new Date(0) }, 'x', 0, -0, NaN, undefined, () => 1]) {
    t.equal(encode(value), JSON.stringify(value))
  }
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

t.test('10,000-deep data is written, with a schema or without, even deep inside a stack', async (t) => {
  const recursive = { $id: 'tree', type: 'array', items: { anyOf: [{ $ref: 'tree' }, { type: 'number' }] } }
  for (const [name, encode] of [['no schema', jsonEncoder()], ['a schema', jsonEncoder(schema)], ['a recursive schema', jsonEncoder(recursive)]] as const) {
    underDeepStack(DEEP_STACK, () => {
      t.equal(encode(nestedArrays(10_000)), nestedText(10_000, 'arrays'), `${name}: arrays`)
      t.equal(encode(nestedObjects(10_000)), nestedText(10_000, 'objects'), `${name}: objects`)
      t.equal(encode({ name: 'Ada', extra: nestedArrays(10_000) }), `{"name":"Ada","extra":${nestedText(10_000, 'arrays')}}`, `${name}: inside a document`)
    })
  }
  t.equal(jsonEncoder(recursive)([[1], 2]), '[[1],2]', 'the recursive schema itself works')
})

t.test('a cycle or a BigInt is a RENDER error, with a schema or without', async (t) => {
  const cyclic: Record<string, unknown> = { name: 'Ada' }
  cyclic.self = cyclic
  for (const encode of [jsonEncoder(), jsonEncoder(schema)]) {
    t.throws(() => encode(cyclic), { code: ErrorCodes.RENDER, message: /cyclic/ })
    t.throws(() => encode({ name: 'Ada', age: 36n }), { code: ErrorCodes.RENDER, message: /"age" is a BigInt/ })
    t.throws(() => encode(1n), { code: ErrorCodes.RENDER })
  }
})
