import t from 'tap'
import { stringifyIteratively } from '../../lib/codec/json-stringify.js'
import { ErrorCodes, RxgateError } from '../../lib/errors.js'
import { DEEP_STACK, nestedArrays, nestedObjects, nestedText, underDeepStack } from '../helpers/deep.js'

const symbol = Symbol('s')
const withKey = (prefix: string) => ({ toJSON: (key: string) => `${prefix}:${key}` })

/** Values whose JSON text has a rule of its own; each is also tried inside an array and an object. */
const TRICKY: readonly [string, unknown][] = [
  ['plain string', 'Ada'],
  ['unicode', 'Zoë 🚀 日本 \u2028\u2029'],
  ['escapes and control characters', '"\\/\b\f\n\r\t\u0000\u001f\u007f'],
  ['lone high surrogate', '\ud800'],
  ['lone low surrogate inside text', 'a\udc00b'],
  ['a surrogate pair', '\udbff\udfff'],
  ['zero', 0],
  ['minus zero', -0],
  ['large and small numbers', [1.5e300, -1e-7, 2 ** 53 + 2, 0.1 + 0.2]],
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
  ['true', true],
  ['false', false],
  ['null', null],
  ['undefined', undefined],
  ['a function', () => 1],
  ['a symbol', symbol],
  ['empty containers', [[], {}, [[]], [{}], { a: [] }, { a: {} }, [[[[]]]], { a: { b: { c: {} } } }]],
  ['undefined, functions and symbols in an array', [undefined, () => 1, symbol, 1]],
  ['undefined, functions and symbols in an object', { a: undefined, b: () => 1, c: symbol, d: 1 }],
  ['only undefined members', { a: undefined, b: undefined }],
  ['dropped members around kept ones', { a: undefined, b: 1, c: undefined, d: { e: undefined }, f: undefined }],
  ['holes', [, 1, , ]], // eslint-disable-line no-sparse-arrays
  ['a Date', new Date(0)],
  ['an invalid Date', new Date(NaN)],
  ['Dates nested', { at: new Date(86_400_000), list: [new Date(1)] }],
  ['toJSON', { toJSON: () => ({ x: 1, y: [undefined] }) }],
  ['toJSON with the key, at the root', withKey('root')],
  ['toJSON with the key, in an object', { q: withKey('o') }],
  ['toJSON with the key, in an array', [withKey('a'), withKey('b')]],
  ['a function with a toJSON', { f: Object.assign(() => 1, { toJSON: () => 'from a function' }) }],
  ['toJSON giving undefined', [{ toJSON: () => undefined }, { a: { toJSON: () => undefined }, b: 2 }]],
  ['toJSON giving a container with a toJSON', { a: { toJSON: () => [withKey('inner')] } }],
  ['boxed primitives', [new Number(3), new Number(-0), new String('s\u0001'), new Boolean(false), Object(true)]],
  ['no prototype', Object.assign(Object.create(null) as object, { a: 1 })],
  ['an own "__proto__" key', JSON.parse('{"__proto__": {"a": 1}, "b": 2}')],
  ['symbol keys and hidden keys are skipped', Object.defineProperty({ [symbol]: 1, a: 1 }, 'hidden', { value: 1, enumerable: false })],
  ['integer-like keys come first', { b: 1, 2: 'two', a: 2, 1: 'one', '': 'empty', 'a"b': 3, '\ud800': 4 }],
  ['Map, Set, typed array, RegExp, Error', [new Map([[1, 2]]), new Set([1]), new Uint8Array([1, 2]), /re/g, new Error('e')]],
  ['the same object twice (not a cycle)', (() => { const shared = { id: 1 }; return { a: shared, b: [shared, shared] } })()],
  ['mixed nesting', [1, [2, [3, [4]]], { a: [{}, [], { b: null }] }]],
]

t.test('writes what JSON.stringify writes, for every tricky value, alone, in an array and in an object', async (t) => {
  for (const [name, value] of TRICKY) {
    for (const [where, wrapped] of [['alone', value], ['in an array', [value]], ['in an object', { k: value }]] as const) {
      t.equal(stringifyIteratively(wrapped), JSON.stringify(wrapped), `${name}, ${where}`)
    }
  }
})

t.test('writes 10,000-deep data, arrays and objects, the same as JSON.stringify would with a large enough stack', async (t) => {
  t.equal(underDeepStack(DEEP_STACK, () => stringifyIteratively(nestedArrays(10_000))), nestedText(10_000, 'arrays'))
  t.equal(underDeepStack(DEEP_STACK, () => stringifyIteratively(nestedObjects(10_000))), nestedText(10_000, 'objects'))
  // Where the native one still works, both agree on rich deep data.
  let rich: unknown = { end: [undefined, NaN, new Date(0)] }
  for (let i = 0; i < 2_000; i++) rich = i % 2 ? { n: i, skip: undefined, next: rich, f: () => 0 } : [rich, i, symbol]
  t.equal(stringifyIteratively(rich), JSON.stringify(rich))
  t.equal(stringifyIteratively(nestedArrays(100_000)).length, 200_001, '100,000 levels too')
})

t.test('a cycle or a BigInt is a RENDER error that names the value, where JSON.stringify throws a TypeError or overflows', async (t) => {
  const cyclic: { a: { b: unknown[] } } = { a: { b: [1] } }
  cyclic.a.b.push(cyclic.a)
  const self: Record<string, unknown> = {}
  self.me = self
  const cases: [string, unknown, RegExp][] = [
    ['a cycle', cyclic, /"a\.b\.1" is the value at "a" again/],
    ['an object that holds itself', self, /"me" is the answer again/],
    ['a BigInt in an object', { x: [1, 2n] }, /"x\.1" is a BigInt/],
    ['a BigInt alone', 3n, /the answer is a BigInt/],
    ['a boxed BigInt', [Object(4n)], /"0" is a BigInt/],
    ['a cycle below 10,000 levels', (() => { const top = { deep: nestedArrays(10_000, {}) }; (top as Record<string, unknown>).again = top; return top })(), /"again" is the answer again/],
  ]
  for (const [name, value, message] of cases) {
    t.throws(() => JSON.stringify(value), `${name}: the native one throws (a TypeError, or a RangeError first when deep)`)
    const error = t.throws(() => stringifyIteratively(value), { code: ErrorCodes.RENDER }, name) as RxgateError
    t.type(error, RxgateError)
    t.match(error.message, message)
  }
  const toJsonBigInt = { toJSON: () => 5n }
  t.throws(() => stringifyIteratively({ v: toJsonBigInt }), { code: ErrorCodes.RENDER }, 'a toJSON that gives a BigInt')
})

t.test('a toJSON that throws is not hidden', async (t) => {
  t.throws(() => stringifyIteratively({ a: { toJSON: () => { throw new Error('broken toJSON') } } }), { message: 'broken toJSON' })
})
