import t from 'tap'
import { checkEncodable } from '../../lib/codec/unencodable.js'
import { ErrorCodes } from '../../lib/errors.js'
import { DEEP_STACK, nestedArrays, nestedObjects, underDeepStack } from '../helpers/deep.js'

t.test('plain data passes, however deep, and an object met twice is no cycle', async (t) => {
  const shared = { id: 1 }
  underDeepStack(DEEP_STACK, () => {
    t.doesNotThrow(() => checkEncodable({ a: shared, b: [shared, shared], c: null, d: 'x' }, 'YAML'))
    t.doesNotThrow(() => checkEncodable(nestedArrays(100_000), 'YAML'))
    t.doesNotThrow(() => checkEncodable(nestedObjects(100_000), 'YAML'))
  })
})

t.test('a cycle or a BigInt is a RENDER error with its path', async (t) => {
  const cyclic: { a: { b: unknown[] } } = { a: { b: [] } }
  cyclic.a.b.push({ up: cyclic.a })
  const error = t.throws(() => checkEncodable(cyclic, 'YAML'), { code: ErrorCodes.RENDER }) as { message: string; details: unknown }
  t.match(error.message, /"a\.b\.0\.up" is the value at "a" again/)
  t.same(error.details, { format: 'YAML', path: 'a.b.0.up', ancestor: 'a' })
  t.throws(() => checkEncodable({ deep: nestedObjects(20_000, 7n) }, 'YAML'), { code: ErrorCodes.RENDER, message: /BigInt/ })
  t.throws(() => checkEncodable(7n, 'YAML'), { code: ErrorCodes.RENDER, message: /the answer is a BigInt/ })
})

t.test('objects with a toJSON are not looked into: encoders write what it returns', async (t) => {
  const withToJson = { big: 1n, toJSON: () => 'fine' }
  t.doesNotThrow(() => checkEncodable({ at: new Date(0), value: withToJson }, 'YAML'))
  class Node {
    self = this
  }
  t.throws(() => checkEncodable({ node: new Node() }, 'YAML'), { code: ErrorCodes.RENDER, message: /"node\.self" is the value at "node" again/ }, 'other objects are')
})
