import t, { type Test } from 'tap'
import { map, of } from 'rxjs'
import { flatmap, type FlatmapOperation } from '../../operators/flatmap.js'
import { DEEP_STACK, depthOf, innermost, nestedArrays, nestedObjects, underDeepStack } from '../helpers/deep.js'
import { marbles } from './fixtures/marbles.js'

/** The structure KrakenD's flatmap documentation works on. */
function sample() {
  return {
    a: [
      {
        b1: [
          { c: 1, d: 'foo' },
          { c: 2, d: 'bar' },
        ],
        b2: true,
      },
      { b1: [{ c: 3, d: 'vaz' }] },
    ],
  }
}

/** Runs the operations on one value in virtual time and checks the result. */
function expectFlat(t: Test, operations: FlatmapOperation[], input: unknown, output: unknown) {
  marbles(t, ({ cold, expectObservable }) => {
    expectObservable(cold('-a|', { a: input }).pipe(flatmap(operations))).toBe('-a|', { a: output })
  })
}

const move = (from: string, to: string): FlatmapOperation => ({ type: 'move', args: [from, to] })
const del = (...paths: string[]): FlatmapOperation => ({ type: 'del', args: paths })

t.test('doc example: extract objects to another level', async (t) => {
  expectFlat(
    t,
    [move('zone.state', 'shipping_state'), move('zone.zip', 'shipping_zip'), del('zone')],
    { shipping_id: 'f15f8c62-8c63-46de-a7f6-a08f131848c5', zone: { state: 'NY', zip: '10001' } },
    { shipping_id: 'f15f8c62-8c63-46de-a7f6-a08f131848c5', shipping_state: 'NY', shipping_zip: '10001' },
  )
})

t.test('doc example: moving around data in arrays (del an index, rename in every item, append)', async (t) => {
  const input = {
    kindergarten: [{ name: 'TEST Kinder' }, { name: "Lil' Elephants" }, { name: 'Bright Rainbows' }],
    schools: [{ title: 'Brookside Elementary' }, { title: 'Oak Tree School' }],
  }
  const operations: FlatmapOperation[] = [
    del('kindergarten.0'),
    move('schools.*.title', 'schools.*.name'),
    { type: 'append', args: ['kindergarten', 'schools'] },
  ]
  // The doc prints the kindergartens first, but KrakenD's code (tree.Append: `append(dst, src...)`,
  // and its own test: b [1] + a [42] gives [1, 42]) puts the appended array after the other.
  expectFlat(t, operations, input, {
    schools: [{ name: 'Brookside Elementary' }, { name: 'Oak Tree School' }, { name: "Lil' Elephants" }, { name: 'Bright Rainbows' }],
  })
})

t.test('doc notation: indices and wildcards reach into arrays (shown with del)', async (t) => {
  expectFlat(t, [del('a')], sample(), {})
  expectFlat(t, [del('a.1')], sample(), { a: [sample().a[0]] })
  const withoutFoo = sample()
  withoutFoo.a[0]!.b1[0] = { c: 1 } as never
  expectFlat(t, [del('a.0.b1.0.d')], sample(), withoutFoo)
  const withoutVaz = sample()
  withoutVaz.a[1]!.b1[0] = { c: 3 } as never
  expectFlat(t, [del('a.1.b1.0.d')], sample(), withoutVaz)
  // The three matches of `d`: foo, bar, vaz.
  const noD = { a: [{ b1: [{ c: 1 }, { c: 2 }], b2: true }, { b1: [{ c: 3 }] }] }
  expectFlat(t, [del('a.*.b1.*.d')], sample(), noD)
  expectFlat(t, [del('a.*.*.*.d')], sample(), noD)
})

t.test('doc table of moves, the correct ones', async (t) => {
  // Rename c to d: the moved value replaces the d already there.
  expectFlat(t, [move('a.*.b1.*.c', 'a.*.b1.*.d')], sample(), {
    a: [{ b1: [{ d: 1 }, { d: 2 }], b2: true }, { b1: [{ d: 3 }] }],
  })
  // Extract only c from the first and first items.
  expectFlat(t, [move('a.0.b1.0.c', 'c')], sample(), {
    a: [{ b1: [{ d: 'foo' }, { c: 2, d: 'bar' }], b2: true }, { b1: [{ c: 3, d: 'vaz' }] }],
    c: 1,
  })
  // Add additional levels.
  const deep = (c: number) => ({ d: { e: { f: { g: c } } } })
  expectFlat(t, [move('a.*.b1.*.c', 'a.*.b1.*.c.d.e.f.g')], sample(), {
    a: [{ b1: [{ d: 'foo', c: deep(1) }, { d: 'bar', c: deep(2) }], b2: true }, { b1: [{ d: 'vaz', c: deep(3) }] }],
  })
})

t.test('doc table of moves, the incorrect ones: refused when created, or matching nothing', async (t) => {
  const refused: [string, string, RegExp][] = [
    ['a.*.b1.*.c', 'a.*.c', /must start with "a\.\*\.b1\.\*"/], // missing level
    ['a.*.b1.c', 'c', /must start with "a\.\*"/], // a wildcard source cannot land in one place
    ['a.*.b1.c', 'a.*.b1.*.d.*.e', /more wildcards/],
    ['a.*.b1.*.c', 'a.*.x.*.c', /must start with/], // renaming a segment that is not the last
    ['a.*.b1.*.c', 'a.*.x.*.c.d.e.f.g', /must start with/],
    ['a.*.b1.*.c', 'a.*.b1.*.d.*.e', /more wildcards/],
  ]
  for (const [from, to, message] of refused) {
    t.throws(() => flatmap([move(from, to)]), { code: 'RXGATE_ERR_BAD_ARGUMENT', message }, `${from} -> ${to}`)
  }
  // Missing array after a: valid paths that find nothing in this structure.
  expectFlat(t, [move('a.b1.c', 'c')], sample(), sample())
})

t.test('a rename keeps the key where it was; a missing source changes nothing', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const out = cold('a|', { a: { x: 1, old: 2, y: 3 } }).pipe(flatmap([move('old', 'new'), move('missing', 'other')]))
    expectObservable(out.pipe(map((value) => Object.keys(value as object)))).toBe('a|', { a: ['x', 'new', 'y'] })
  })
})

t.test('relocating creates the objects on the way, replacing a scalar in the way as KrakenD does', async (t) => {
  expectFlat(t, [move('b.a', 'b.b.a.b.c')], { a: 1, b: { a: 42 } }, { a: 1, b: { b: { a: { b: { c: 42 } } } } })
  expectFlat(t, [move('a', 'b.c')], { a: 1, b: 5 }, { b: { c: 1 } })
  // Unlike KrakenD, which only relabels the last segment, another branch can be named.
  expectFlat(t, [move('zone.state', 'address.state')], { zone: { state: 'NY' } }, { zone: {}, address: { state: 'NY' } })
  // Nested from a wildcard: each match stays in its own item.
  expectFlat(
    t,
    [move('b.*.c', 'b.*.c.b.x')],
    { b: { first: { c: { d: 42 } }, last: { m: 42, c: { d: 42 } } } },
    { b: { first: { c: { b: { x: { d: 42 } } } }, last: { m: 42, c: { b: { x: { d: 42 } } } } } },
  )
})

t.test('moving out of an array closes the gap; an index in an array inserts there', async (t) => {
  expectFlat(t, [move('list.0', 'first')], { list: ['a', 'b', 'c'] }, { list: ['b', 'c'], first: 'a' })
  expectFlat(t, [move('x', 'list.1')], { x: 'new', list: ['a', 'b'] }, { list: ['a', 'new', 'b'] })
  expectFlat(t, [move('x', 'list.2')], { x: 'new', list: ['a', 'b'] }, { list: ['a', 'b', 'new'] })
  // An array with no such index cannot take it: the value stays where it was.
  expectFlat(t, [move('x', 'list.7')], { x: 'new', list: ['a'] }, { x: 'new', list: ['a'] })
  expectFlat(t, [move('x', 'list.key.y')], { x: 'new', list: ['a'] }, { x: 'new', list: ['a'] })
})

t.test('del with a last wildcard empties the containers; an emptied container stays {} or []', async (t) => {
  expectFlat(t, [del('a.*')], { a: [1, 2], b: { c: 1 } }, { a: [], b: { c: 1 } })
  expectFlat(t, [del('b.*')], { a: [1, 2], b: { c: 1 } }, { a: [1, 2], b: {} })
  expectFlat(t, [del('*')], { a: 1, b: 2 }, {})
  expectFlat(t, [move('b.a', 'c')], { b: { a: 42 } }, { b: {}, c: 42 })
  // Several paths in one del, each on the result of the previous one.
  expectFlat(t, [del('a.0', 'a.0')], { a: [1, 2, 3] }, { a: [3] })
})

t.test('append concatenates arrays and removes the appended one; anything else is left alone', async (t) => {
  const append = (from: string, to: string): FlatmapOperation => ({ type: 'append', args: [from, to] })
  expectFlat(t, [append('a', 'b')], { a: [42], b: [1] }, { b: [1, 42] })
  expectFlat(t, [append('x.a', 'y.b')], { x: { a: [2, 3], k: 1 }, y: { b: [1] } }, { x: { k: 1 }, y: { b: [1, 2, 3] } })
  expectFlat(t, [append('a', 'b')], { a: 'text', b: [1] }, { a: 'text', b: [1] })
  expectFlat(t, [append('a', 'b')], { a: [1], b: { c: 1 } }, { a: [1], b: { c: 1 } })
  expectFlat(t, [append('a', 'missing')], { a: [1] }, { a: [1] })
})

t.test('works on a value that is an array; values that are not objects or arrays pass through', async (t) => {
  expectFlat(t, [move('*.title', '*.name')], [{ title: 'x' }, { title: 'y', id: 1 }], [{ name: 'x' }, { name: 'y', id: 1 }])
  expectFlat(t, [del('1')], ['a', 'b', 'c'], ['a', 'c'])
  marbles(t, ({ cold, expectObservable }) => {
    const values = { a: 'text', b: 42, c: null, d: true }
    expectObservable(cold('abcd|', values).pipe(flatmap([del('a')]))).toBe('abcd|', values)
  })
})

t.test('a numeric segment is a key in an object; a word is no index in an array', async (t) => {
  expectFlat(t, [del('m.0')], { m: { 0: 'zero', 1: 'one' } }, { m: { 1: 'one' } })
  expectFlat(t, [del('list.first')], { list: [1] }, { list: [1] })
  expectFlat(t, [del('list.01')], { list: [1, 2] }, { list: [1, 2] })
})

t.test('never modifies its input, and shares the parts it did not change', async (t) => {
  const input = deepFreeze(sample())
  let output: { a: { b1: unknown[] }[] } | undefined
  of(input)
    .pipe(flatmap([move('a.0.b1.*.c', 'a.0.b1.*.x'), del('a.0.b2')]))
    .subscribe((value) => (output = value as typeof output))
  t.strictSame(input, sample())
  t.strictSame(output, { a: [{ b1: [{ x: 1, d: 'foo' }, { x: 2, d: 'bar' }] }, { b1: [{ c: 3, d: 'vaz' }] }] })
  t.equal(output!.a[1], input.a[1], 'an untouched item is the same object')
  let same: unknown
  of(input)
    .pipe(flatmap([del('nothing.here')]))
    .subscribe((value) => (same = value))
  t.equal(same, input, 'nothing matched: the value itself')
})

t.test('keeps a __proto__ key a field', async (t) => {
  const input = JSON.parse('{"__proto__": {"x": 1}, "a": {"b": 1}}') as unknown
  let output: Record<string, unknown> | undefined
  of(input)
    .pipe(flatmap([move('a.b', '__proto__.y')]))
    .subscribe((value) => (output = value as Record<string, unknown>))
  t.equal(Object.getPrototypeOf(output), Object.prototype)
  t.strictSame(Object.getOwnPropertyDescriptor(output, '__proto__')?.value, { x: 1, y: 1 })
})

t.test('an empty list of operations changes nothing', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    expectObservable(cold('a|', { a: { x: 1 } }).pipe(flatmap([]))).toBe('a|', { a: { x: 1 } })
  })
})

t.test('source errors pass through untouched', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const error = new Error('boom')
    expectObservable(cold('a#', { a: { x: 1 } }, error).pipe(flatmap([del('x')]))).toBe('a#', { a: {} }, error)
  })
})

t.test('rejects bad operations when it is created', async (t) => {
  const bad = (operations: unknown, message: RegExp) =>
    t.throws(() => flatmap(operations as never), { code: 'RXGATE_ERR_BAD_ARGUMENT', message }, String(message))
  bad(null, /list of operations/)
  bad({ type: 'del', args: ['a'] }, /list of operations/)
  bad([{ type: 'copy', args: ['a', 'b'] }], /"copy": use "move", "del" or "append"/)
  bad([{ type: 'del' }], /operation 0 must be like/)
  bad([null], /operation 0 must be like/)
  bad([{ type: 'del', args: [] }], /at least one path/)
  bad([{ type: 'move', args: ['a'] }], /two paths/)
  bad([{ type: 'move', args: ['a', 'b', 'c'] }], /two paths/)
  bad([{ type: 'append', args: ['a'] }], /two paths/)
  bad([{ type: 'del', args: ['a..b'] }], /empty segment/)
  bad([{ type: 'del', args: [''] }], /non-empty string/)
  bad([{ type: 'del', args: [3] }], /non-empty string/)
  bad([move('a.*', 'b.*')], /not \*/)
  bad([move('a.b', 'a.*')], /not \*/)
  bad([move('a.b', 'a.b')], /onto itself/)
  bad([{ type: 'append', args: ['a.*.b', 'c'] }], /wildcard/)
  bad([{ type: 'append', args: ['a', 'a'] }], /to itself/)
  bad([del('a'), { type: 'del', args: ['x.'] }], /operation 1|empty segment/)
})

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}

t.test('creating objects on the way never reaches into the prototype', async (t) => {
  let output: Record<string, Record<string, unknown>> | undefined
  of({ a: 1, b: 2 })
    .pipe(flatmap([move('a', '__proto__.x'), move('b', 'constructor.y')]))
    .subscribe((value) => (output = value as typeof output))
  t.equal(Object.getPrototypeOf(output), Object.prototype)
  t.strictSame(Object.getOwnPropertyDescriptor(output, '__proto__')?.value, { x: 1 })
  t.strictSame(Object.getOwnPropertyDescriptor(output, 'constructor')?.value, { y: 2 })
  t.equal(({} as Record<string, unknown>).x, undefined)
})

t.test('10,000-deep data is moved, deleted and appended from deep inside an RxJS stack: the walks follow the paths, not the data', async (t) => {
  const doc = {
    list: [{ deep: nestedArrays(10_000, { x: 1 }), name: 'a' }, { deep: nestedObjects(10_000), name: 'b' }],
    more: [nestedArrays(10_000)],
    tree: nestedObjects(10_000, 'leaf'),
  }
  const values: unknown[] = []
  underDeepStack(DEEP_STACK, () =>
    of(doc)
      .pipe(
        flatmap([
          { type: 'move', args: ['list.*.deep', 'list.*.kept'] },
          { type: 'del', args: ['list.*.name'] },
          { type: 'append', args: ['more', 'list'] },
          { type: 'move', args: ['tree.a.a', 'moved'] },
        ]),
      )
      .subscribe((value) => values.push(value)),
  )
  const [out] = values as [{ list: Record<string, unknown>[]; moved: unknown; tree: unknown }]
  t.equal(out.list.length, 3)
  t.strictSame(Object.keys(out.list[0]!), ['kept'])
  t.equal(depthOf(out.list[0]!.kept), 10_001)
  t.strictSame(innermost(out.list[0]!.kept), { x: 1 })
  t.equal(depthOf(out.list[1]!.kept), 10_000)
  t.equal(depthOf(out.list[2]), 10_000, 'the appended deep array')
  t.equal(depthOf(out.moved), 9_998)
  t.strictSame(out.tree, { a: {} }, 'emptied where the move took from')
  t.equal(depthOf(doc.tree), 10_000, 'the input is not modified')
})
