import t from 'tap'
import { jsonDecoder, JSON_STREAM_THRESHOLD } from '../../lib/codec/json-decoder.js'
import { sourceOf } from '../../lib/codec/json-source.js'
import type { DecoderFactory } from '../../lib/codec/decoder.js'
import { NestingTooDeepError } from '../../lib/codec/depth.js'
import { DEEP_STACK, depthOf, innermost, nestedText, underDeepStack } from '../helpers/deep.js'

/** Feeds a body to a decoder in chunks of `size` bytes. */
function decode(factory: DecoderFactory, body: Buffer | string, size = 64 * 1024, length?: number): unknown {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body
  const decoder = factory(length)
  for (let at = 0; at < bytes.length; at += size) decoder.write(bytes.subarray(at, at + size))
  return decoder.end()
}

const PARSE = Number.POSITIVE_INFINITY
const STREAM = -1

/** A small deterministic pseudo-random generator, so a failure can be replayed. */
function random(seed: number) {
  let state = seed >>> 0
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

const KEYS = ['a', 'b', 'c', 'é', '__proto__']

function randomValue(next: () => number, depth: number): unknown {
  const roll = next()
  if (depth > 3 || roll < 0.3) {
    const kinds = [1, 'text ü', null, true, false, -2.5e3, '']
    return kinds[Math.floor(next() * kinds.length)]
  }
  if (roll < 0.55) return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1))
  const out: Record<string, unknown> = {}
  for (const key of KEYS) {
    if (next() < 0.5) Object.defineProperty(out, key, { value: randomValue(next, depth + 1), enumerable: true, writable: true, configurable: true })
  }
  return out
}

function randomPaths(next: () => number): string[] {
  return Array.from({ length: 1 + Math.floor(next() * 3) }, () =>
    Array.from({ length: 1 + Math.floor(next() * 3) }, () => KEYS[Math.floor(next() * KEYS.length)]!).join('.'),
  )
}

t.test('the threshold is a measured, positive size', async (t) => {
  t.ok(JSON_STREAM_THRESHOLD > 0)
})

t.test('parses small bodies, whole or in pieces, and keeps UTF-8 split across chunks', async (t) => {
  const body = JSON.stringify({ name: 'Zoë 🚀', list: [1, 2.5, -3e2, true, false, null], nested: { a: 'ü' } })
  for (const threshold of [PARSE, STREAM]) {
    const factory = jsonDecoder({ threshold })
    t.same(decode(factory, body), JSON.parse(body))
    t.same(decode(factory, body, 1), JSON.parse(body), 'one byte at a time')
    t.same(decode(factory, body, 3), JSON.parse(body))
  }
})

t.test('a body of unknown length switches to streaming once it passes the threshold', async (t) => {
  const body = JSON.stringify({ items: Array.from({ length: 200 }, (_, i) => ({ id: i, name: `n${i}` })) })
  const factory = jsonDecoder({ threshold: 100, allow: ['items.id'] })
  const want = { items: Array.from({ length: 200 }, (_, i) => ({ id: i })) }
  t.same(decode(factory, body, 7), want, 'unknown length, streamed after 100 bytes')
  t.same(decode(factory, body, 7, Buffer.byteLength(body)), want, 'declared large: streamed from the start')
  t.same(decode(jsonDecoder({ threshold: 1e6, allow: ['items.id'] }), body, 7), want, 'ends before the threshold: parsed')
})

t.test('streaming and parsing give the same value for random documents, allow and deny lists', async (t) => {
  const next = random(42)
  for (let i = 0; i < 400; i++) {
    const doc = randomValue(next, 0)
    const body = JSON.stringify(doc)
    const allow = next() < 0.6 ? randomPaths(next) : undefined
    const deny = next() < 0.6 ? randomPaths(next) : undefined
    const parsed = decode(jsonDecoder({ threshold: PARSE, allow, deny }), body)
    const streamed = decode(jsonDecoder({ threshold: STREAM, allow, deny }), body, 1 + Math.floor(next() * 9))
    if (JSON.stringify(streamed) !== JSON.stringify(parsed)) {
      t.fail('mismatch', { body, allow, deny, parsed, streamed })
      return
    }
  }
  t.pass('400 documents agree, key order included')
})

t.test('allow keeps only listed paths, through arrays; deny removes them', async (t) => {
  const body = JSON.stringify({
    id: 1,
    secret: 's',
    items: [{ id: 1, price: 2, tags: ['x'] }, 5, { id: 2, price: 3 }],
    meta: { page: 1, total: 9 },
  })
  for (const threshold of [PARSE, STREAM]) {
    t.same(decode(jsonDecoder({ threshold, allow: ['id', 'items.id', 'meta'] }), body), {
      id: 1,
      items: [{ id: 1 }, { id: 2 }],
      meta: { page: 1, total: 9 },
    })
    t.same(decode(jsonDecoder({ threshold, deny: ['secret', 'items.price', 'meta.total'] }), body), {
      id: 1,
      items: [{ id: 1, tags: ['x'] }, 5, { id: 2 }],
      meta: { page: 1 },
    })
  }
})

t.test('bad JSON throws, on both paths', async (t) => {
  for (const threshold of [PARSE, STREAM]) {
    const factory = jsonDecoder({ threshold })
    for (const bad of ['', '{', '{"a":1', '<html>oops</html>', '{"a":1} trailing', '[1,]', '{"a" 1}']) {
      t.throws(() => decode(factory, bad, 2), `${threshold}: ${JSON.stringify(bad)}`)
    }
  }
})

t.test('a leading byte-order mark is ignored, on both paths', async (t) => {
  const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')])
  t.same(decode(jsonDecoder({ threshold: PARSE }), body), { a: 1 })
  t.same(decode(jsonDecoder({ threshold: STREAM }), body, 1), { a: 1 })
})

t.test('top-level values that are not objects', async (t) => {
  for (const threshold of [PARSE, STREAM]) {
    const factory = jsonDecoder({ threshold, allow: ['a'] })
    t.equal(decode(factory, '42'), 42)
    t.equal(decode(factory, '"text"'), 'text')
    t.same(decode(factory, '[1, {"a": 1, "b": 2}, "x"]'), [{ a: 1 }])
  }
})

t.test('__proto__ stays an own field and never touches the prototype', async (t) => {
  const body = '{"__proto__": {"polluted": true}, "a": 1}'
  for (const threshold of [PARSE, STREAM]) {
    for (const options of [{}, { allow: ['__proto__', 'a'] }, { deny: ['b'] }]) {
      const value = decode(jsonDecoder({ threshold, ...options }), body) as Record<string, unknown>
      t.equal(Object.getPrototypeOf(value), Object.prototype)
      t.ok(Object.hasOwn(value, '__proto__'))
      t.equal(({} as Record<string, unknown>).polluted, undefined)
    }
  }
})

t.test('keepSource: a body parsed whole remembers its bytes; a pruned or streamed one does not', async (t) => {
  const body = '{ "b": 1,\n  "a": [1.0, 2] }'
  const kept = decode(jsonDecoder({ keepSource: true }), body)
  t.same(kept, { b: 1, a: [1, 2] })
  t.equal(sourceOf(kept)?.toString(), body, 'the exact bytes, spacing and all')
  t.equal(sourceOf(decode(jsonDecoder({ keepSource: true }), `\ufeff${body}`))?.toString(), body, 'a byte order mark is not kept')
  t.equal(sourceOf(decode(jsonDecoder(), body)), undefined, 'not asked: nothing kept')
  t.equal(sourceOf(decode(jsonDecoder({ keepSource: true, allow: ['a'] }), body)), undefined, 'pruned: the bytes are not the value any more')
  t.equal(sourceOf(decode(jsonDecoder({ keepSource: true, threshold: 8 }), body)), undefined, 'streamed: no bytes to keep')
  t.equal(sourceOf(decode(jsonDecoder({ keepSource: true }), '"text"')), undefined, 'a string is not worth it')
})

t.test('nesting: up to 10,000 levels decode, 10,001 fail, on both paths, arrays and objects', async (t) => {
  for (const kind of ['arrays', 'objects'] as const) {
    for (const [path, threshold] of [['parsed', PARSE], ['streamed', STREAM], ['streamed past a small threshold', 64]] as const) {
      const factory = jsonDecoder({ threshold })
      for (const depth of [5_000, 10_000]) {
        const value = underDeepStack(DEEP_STACK, () => decode(factory, nestedText(depth, kind, '"end"'), 4096))
        t.equal(depthOf(value), depth, `${kind}, ${path}: ${depth} levels`)
      }
      const error = t.throws(() => decode(factory, nestedText(10_001, kind), 4096), NestingTooDeepError, `${kind}, ${path}: 10,001 levels`)
      t.equal((error as NestingTooDeepError).maxNestingDepth, 10_000)
    }
  }
})

t.test('nesting: counted before pruning, and the pruned value is walked safely', async (t) => {
  // 10,000 levels: the outer object, 9,998 arrays, the innermost object.
  const body = `{"keep":${nestedText(9_998, 'arrays', '{"id":1,"x":2}')},"drop":1}`
  for (const threshold of [PARSE, STREAM]) {
    const value = underDeepStack(DEEP_STACK, () => decode(jsonDecoder({ threshold, allow: ['keep.id'] }), body)) as { keep: unknown }
    t.equal(depthOf(value.keep), 9_999)
    t.same(innermost(value.keep), { id: 1 }, 'picked at the bottom: x dropped')
    const dropped = `{"keep":1,"drop":${nestedText(10_001, 'arrays')}}`
    t.throws(() => decode(jsonDecoder({ threshold, allow: ['keep'] }), dropped), NestingTooDeepError, 'a dropped subtree counts too')
  }
})

t.test('nesting: 100,000 levels are refused without a stack overflow; streaming refuses at the first chunk past the limit', async (t) => {
  const body = Buffer.from(nestedText(100_000, 'arrays'))
  t.throws(() => decode(jsonDecoder({ threshold: PARSE }), body), NestingTooDeepError, 'parsed')
  const decoder = jsonDecoder({ threshold: STREAM })(body.length)
  t.throws(() => decoder.write(body.subarray(0, 64 * 1024)), NestingTooDeepError, 'streamed: the first 64 KiB already fail')
})

t.test('nesting: the limit can be set lower, and brackets in strings are text', async (t) => {
  for (const threshold of [PARSE, STREAM]) {
    const factory = jsonDecoder({ threshold, maxNestingDepth: 3 })
    t.same(decode(factory, '{"a":[{"b":"[[[[{{{{"}]}'), { a: [{ b: '[[[[{{{{' }] })
    t.throws(() => decode(factory, '{"a":[{"b":[]}]}'), { name: 'NestingTooDeepError', maxNestingDepth: 3 })
    t.throws(() => decode(factory, '{"a":"\\\"[[[[", "b":[[[{}]]]}'), NestingTooDeepError, 'escapes end no string early')
  }
})
