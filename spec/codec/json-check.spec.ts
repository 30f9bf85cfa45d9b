import t from 'tap'
import { jsonChecker, PASS_STREAM_THRESHOLD } from '../../lib/codec/json-check.js'
import { NestingTooDeepError } from '../../lib/codec/depth.js'
import { nestedText } from '../helpers/deep.js'

/** Feeds `body` to a fresh checker in chunks of `size` bytes; the error it threw, or undefined when it took the document. */
function check(body: Buffer | string, size = 64 * 1024, limit?: number): unknown {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body
  const checker = jsonChecker(limit)
  try {
    for (let at = 0; at < bytes.length; at += size) checker.write(bytes.subarray(at, at + size))
    checker.end()
    return undefined
  } catch (error) {
    return error
  }
}

/** What `JSON.parse` says of a text: undefined when it takes it, else its error. */
function parse(text: string): unknown {
  try {
    JSON.parse(text)
    return undefined
  } catch (error) {
    return error
  }
}

const VALID = [
  '{}',
  '[]',
  '0',
  '-0.5e+10',
  '"text"',
  'true',
  'null',
  ' \n\t{"a" : [1, 2.5, -3e2, "x", true, false, null, {}, []] }\r\n',
  '{"é":"ü \\u00e9 \\n \\" \\\\ \\/ 😀","":""}',
  '[{"a":{"b":{"c":[[[]]]}}}]',
  '{"__proto__":{"polluted":true}}',
]

const INVALID = [
  '',
  '   ',
  '{',
  '[1,2',
  '{"a":1',
  '{"a":}',
  '{"a" 1}',
  '{a:1}',
  "{'a':1}",
  '[1,]',
  '{"a":1,}',
  '[01]',
  '[1.]',
  '[.5]',
  '[+1]',
  '[-]',
  '["a\nb"]',
  '["\\x"]',
  '["\\u12"]',
  '[tru]',
  '[True]',
  '[NaN]',
  '{}x',
  '{}{}',
  '[] []',
  '"unterminated',
]

t.test('takes what JSON.parse takes and refuses what it refuses, however the body is cut', async (t) => {
  for (const text of [...VALID, ...INVALID]) {
    const parsed = parse(text)
    for (const size of [1, 2, 3, 7, 64 * 1024]) {
      const checked = check(text, size)
      t.equal(checked === undefined, parsed === undefined, `${JSON.stringify(text)} in chunks of ${size}`)
      if (checked !== undefined) t.type(checked, SyntaxError)
    }
  }
})

t.test('a random document is taken whole in any chunking, a truncated one refused', async (t) => {
  let state = 7
  const next = () => (state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32
  const value = (depth: number): unknown => {
    const roll = next()
    if (depth > 4 || roll < 0.3) return [1.5, -2, 'é ü 😀 "q"', null, true, '', 1e21][Math.floor(next() * 7)]
    if (roll < 0.6) return Array.from({ length: Math.floor(next() * 5) }, () => value(depth + 1))
    return Object.fromEntries(Array.from({ length: Math.floor(next() * 5) }, (_, i) => [`k${i}é`, value(depth + 1)]))
  }
  for (let i = 0; i < 40; i++) {
    const text = JSON.stringify({ doc: value(0) })
    const size = 1 + Math.floor(next() * 16)
    t.equal(check(text, size), undefined, `document ${i} in chunks of ${size}`)
    t.type(check(text.slice(0, -1), size), SyntaxError, `document ${i} less its last byte`)
  }
})

/** What the buffered path says of some bytes: a leading byte order mark skipped, the rest read as UTF-8 and parsed. */
function parseBytes(bytes: Buffer): unknown {
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes
  return parse(body.toString('utf8'))
}

t.test('agrees with JSON.parse on thousands of mutated documents, however they are cut', async (t) => {
  let state = 11
  const next = () => (state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!
  // bytes that matter to the grammar, and some that are not JSON at all or not UTF-8
  const bytes = [...'{}[],:"\\/ \t\n\r-+.eE0123456789abfnrtu'].map((char) => char.charCodeAt(0)).concat([0x00, 0x1f, 0x7f, 0x80, 0xc3, 0xa9, 0xef, 0xbb, 0xbf, 0xff])
  const base = [
    '{"a":[1,-2.5e+3,0,0.25,1E9,"x\\u00e9\\n",true,false,null,{}],"b":{"c":[]},"é":"ü"}',
    '[[[]],{"k":"v"},-0,"\\"",[1e-2]]',
    '"just a string"',
    '123.456e-7',
  ]
  let disagreements = 0
  let valid = 0
  for (let i = 0; i < 4000; i++) {
    const doc = Buffer.from(pick(base))
    const at = Math.floor(next() * (doc.length + 1))
    const roll = next()
    const mutated =
      roll < 0.33 ? Buffer.concat([doc.subarray(0, at), doc.subarray(at + 1)])
      : roll < 0.66 ? Buffer.concat([doc.subarray(0, at), Buffer.from([pick(bytes)]), doc.subarray(at)])
      : Buffer.concat([doc.subarray(0, at), Buffer.from([pick(bytes)]), doc.subarray(at + 1)])
    const expected = parseBytes(mutated) === undefined
    if (expected) valid++
    const size = 1 + Math.floor(next() * 8)
    if ((check(mutated, size) === undefined) !== expected) {
      disagreements++
      t.fail(`${JSON.stringify(mutated.toString('latin1'))} in chunks of ${size}: JSON.parse ${expected ? 'takes' : 'refuses'} it`)
    }
  }
  t.equal(disagreements, 0)
  t.ok(valid > 200 && valid < 3000, `${valid} of 4000 still JSON: both kinds tried`)
})

t.test('bytes that are not UTF-8 pass inside strings and fail outside them, as with JSON.parse of the text', async (t) => {
  t.equal(check(Buffer.from([0x22, 0xff, 0xc3, 0x22])), undefined)
  t.type(check(Buffer.from([0x5b, 0xff, 0x5d])), SyntaxError)
})

t.test('an error names the offset of the fault', async (t) => {
  t.match((check('{"a":[1,2,x]}', 4) as Error).message, /offset 10\b/)
})

t.test('a multi-byte character split between chunks is read as one', async (t) => {
  const bytes = Buffer.from('["😀é"]')
  for (let cut = 1; cut < bytes.length; cut++) {
    const checker = jsonChecker()
    checker.write(bytes.subarray(0, cut))
    checker.write(bytes.subarray(cut))
    t.doesNotThrow(() => checker.end(), `cut at byte ${cut}`)
  }
})

t.test('a leading UTF-8 byte order mark is skipped, as the buffered path skips it; one elsewhere is not JSON', async (t) => {
  t.equal(check('\ufeff{"a":1}'), undefined)
  t.equal(check('\ufeff{"a":1}', 1), undefined, 'split over three chunks')
  t.type(check('{"a":1}\ufeff'), SyntaxError)
  t.type(check('\ufeff\ufeff{}'), SyntaxError)
})

t.test('the nesting limit: exactly the limit passes, one more level throws NestingTooDeepError', async (t) => {
  for (const kind of ['arrays', 'objects'] as const) {
    t.equal(check(nestedText(10_000, kind)), undefined, `10,000 ${kind}, the default limit`)
    const error = check(nestedText(10_001, kind))
    t.type(error, NestingTooDeepError, `10,001 ${kind}`)
    t.equal((error as NestingTooDeepError).maxNestingDepth, 10_000)
    t.equal(check(nestedText(3, kind), 2, 3), undefined, `3 ${kind} under a limit of 3`)
    t.type(check(nestedText(4, kind), 2, 3), NestingTooDeepError, `4 ${kind} under a limit of 3`)
  }
  t.equal(check('[[],[],{"a":1},[]]', 1, 2), undefined, 'depth is nesting, not the count of containers')
  t.equal(check('["[[[[", "{{{{"]', 1, 1), undefined, 'brackets inside strings are text')
})

t.test('a document too deep is refused at the chunk that passes the limit, not at its end', async (t) => {
  const checker = jsonChecker(100)
  checker.write(Buffer.from('['.repeat(100)))
  t.throws(() => checker.write(Buffer.from('[')), NestingTooDeepError)
})

t.test('garbage is refused at the chunk that holds it', async (t) => {
  const checker = jsonChecker()
  checker.write(Buffer.from('{"items":[1,2,'))
  t.throws(() => checker.write(Buffer.from('3]} trailing')), SyntaxError)
})

t.test('the threshold is a whole number of bytes', async (t) => {
  t.ok(Number.isSafeInteger(PASS_STREAM_THRESHOLD) && PASS_STREAM_THRESHOLD > 0)
})
