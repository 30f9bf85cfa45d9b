import t from 'tap'
import { parse } from 'yaml'
import { yamlEncoder } from '../../lib/codec/yaml-encoder.js'
import { ErrorCodes } from '../../lib/errors.js'
import { DEEP_STACK, nestedArrays, nestedObjects, underDeepStack } from '../helpers/deep.js'

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

t.test('deep data: written while the YAML writer can, else a RENDER error, never a stack overflow', async (t) => {
  underDeepStack(DEEP_STACK, () => {
    t.same(parse(encode(nestedObjects(50, 'x'))), nestedObjects(50, 'x'), '50 levels')
    for (const deep of [nestedObjects(10_000), nestedArrays(10_000), { ok: 1, deep: nestedArrays(100_000) }]) {
      t.throws(() => encode(deep), { code: ErrorCodes.RENDER, message: /nests too deeply/ })
    }
  })
})

t.test('a cycle, a BigInt or a value YAML has no form for is a RENDER error', async (t) => {
  const cyclic: { items: unknown[] } = { items: [] }
  cyclic.items.push({ parent: cyclic })
  t.throws(() => encode(cyclic), { code: ErrorCodes.RENDER, message: /"items\.0\.parent" is the answer again/ })
  t.throws(() => encode({ n: [1n] }), { code: ErrorCodes.RENDER, message: /"n\.0" is a BigInt/ })
  t.throws(() => encode(2n), { code: ErrorCodes.RENDER })
  t.throws(() => encode({ f: () => 1 }), { code: ErrorCodes.RENDER }, 'a function')
  t.throws(() => encode({ s: Symbol('s') }), { code: ErrorCodes.RENDER }, 'a symbol')
})
