import t from 'tap'
import { canNestDeeperThan, checkNesting, DEFAULT_MAX_NESTING_DEPTH, NestingTooDeepError } from '../../lib/codec/depth.js'
import { DEEP_STACK, nestedArrays, nestedObjects, nestedText, underDeepStack } from '../helpers/deep.js'

t.test('the default limit is that of Go encoding/json, as KrakenD users know it', async (t) => {
  t.equal(DEFAULT_MAX_NESTING_DEPTH, 10_000)
})

t.test('a text shorter than two bytes per level allowed cannot be too deep', async (t) => {
  t.equal(canNestDeeperThan(nestedText(3, 'arrays', '').length, 2), true, '[[[]]] is 3 levels in 6 bytes')
  t.equal(canNestDeeperThan(5, 2), false)
  t.equal(canNestDeeperThan(20_001, DEFAULT_MAX_NESTING_DEPTH), false)
  t.equal(canNestDeeperThan(20_002, DEFAULT_MAX_NESTING_DEPTH), true)
})

t.test('checkNesting counts containers, not values: a scalar is no level, [] is one', async (t) => {
  t.doesNotThrow(() => checkNesting(1, 1))
  t.doesNotThrow(() => checkNesting('[[[', 1), 'text is not structure')
  t.doesNotThrow(() => checkNesting([], 1))
  t.doesNotThrow(() => checkNesting({ a: 1, b: [2] }, 2))
  t.throws(() => checkNesting({ a: 1, b: [2] }, 1), NestingTooDeepError)
  t.throws(() => checkNesting([[]], 1), NestingTooDeepError)
  t.doesNotThrow(() => checkNesting(JSON.parse('{"__proto__":{"a":1}}'), 2), 'an own "__proto__" key is a field')
  t.throws(() => checkNesting(JSON.parse('{"__proto__":{"a":{}}}'), 2), NestingTooDeepError)
})

t.test('10,000 levels pass, 10,001 do not, for arrays and objects, deep inside a stack', async (t) => {
  for (const nested of [nestedArrays, nestedObjects]) {
    underDeepStack(DEEP_STACK, () => {
      t.doesNotThrow(() => checkNesting(nested(10_000), 10_000), `${nested.name} 10,000`)
      t.throws(() => checkNesting(nested(10_001), 10_000), { maxNestingDepth: 10_000 }, `${nested.name} 10,001`)
    })
  }
})

t.test('100,000 levels are refused without a stack overflow', async (t) => {
  const error = underDeepStack(DEEP_STACK, () => {
    try {
      checkNesting(JSON.parse(nestedText(100_000, 'arrays')), 10_000)
    } catch (thrown) {
      return thrown
    }
  })
  t.type(error, NestingTooDeepError)
  t.type(error, SyntaxError, 'a SyntaxError, as other unreadable JSON')
  t.match((error as Error).message, /10000 levels/)
})

t.test('keys an outside library made enumerable on Object.prototype are not data', async (t) => {
  Object.defineProperty(Object.prototype, 'polluted', { value: { deeper: {} }, enumerable: true, configurable: true })
  t.teardown(() => delete (Object.prototype as Record<string, unknown>).polluted)
  t.doesNotThrow(() => checkNesting({ a: { b: 1 } }, 2))
  t.throws(() => checkNesting({ a: { b: {} } }, 2), NestingTooDeepError)
})
