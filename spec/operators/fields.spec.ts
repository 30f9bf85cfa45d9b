import t from 'tap'
import { copyNestedArrays, drops, fieldTree, omitFields, pickFields, selects, type FieldTree } from '../../operators/fields.js'
import { DEEP_STACK, depthOf, innermost, nestedArrays, nestedObjects, underDeepStack } from '../helpers/deep.js'

/** A tree as a plain object, for comparison. */
function shape(tree: FieldTree): unknown {
  return Object.fromEntries([...tree].map(([key, sub]) => [key, sub === true ? true : shape(sub)]))
}

t.test('fieldTree compiles dot paths into a tree', async (t) => {
  t.strictSame(shape(fieldTree(['id', 'address.city', 'address.geo.lat', 'address.geo.lng'])), {
    id: true,
    address: { city: true, geo: { lat: true, lng: true } },
  })
  t.strictSame(shape(fieldTree([])), {})
  t.strictSame(shape(fieldTree(['id', 'id'])), { id: true })
})

t.test('fieldTree: a shorter path covers the longer ones it prefixes, in either order', async (t) => {
  t.strictSame(shape(fieldTree(['a', 'a.b'])), { a: true })
  t.strictSame(shape(fieldTree(['a.b', 'a'])), { a: true })
  t.strictSame(shape(fieldTree(['a', 'a.b.c'])), { a: true })
  t.strictSame(shape(fieldTree(['a.b', 'a.b.c', 'a.d'])), { a: { b: true, d: true } })
  t.strictSame(shape(fieldTree(['a.b.c', 'a.b'])), { a: { b: true } })
})

t.test('fieldTree keeps "__proto__" and "constructor" as ordinary keys', async (t) => {
  const tree = fieldTree(['__proto__.admin', 'constructor'])
  t.strictSame([...tree.keys()], ['__proto__', 'constructor'])
  t.equal(({} as Record<string, unknown>).admin, undefined)
})

t.test('pickFields keeps nested paths', async (t) => {
  const value = { id: 1, name: 'Ada', address: { city: 'London', zip: 'N1', geo: { lat: 1, lng: 2 } } }
  t.strictSame(pickFields(value, fieldTree(['name', 'address.geo.lat'])), { name: 'Ada', address: { geo: { lat: 1 } } })
  t.strictSame(pickFields(value, fieldTree(['address'])), { address: value.address })
  t.strictSame(pickFields(value, fieldTree(['missing', 'address.missing'])), { address: {} })
})

t.test('pickFields drops a field that is not an object where a deeper path expects one', async (t) => {
  t.strictSame(pickFields({ a: 'text', b: null, c: 3 }, fieldTree(['a.x', 'b.x', 'c'])), { c: 3 })
})

t.test('pickFields walks through arrays of objects, nested arrays included', async (t) => {
  const value = { items: [{ id: 1, x: 1 }, { id: 2, x: 2 }, { x: 3 }], grid: [[{ id: 1, x: 1 }], [{ id: 2 }]] }
  t.strictSame(pickFields(value, fieldTree(['items.id', 'grid.id'])), {
    items: [{ id: 1 }, { id: 2 }, {}],
    grid: [[{ id: 1 }], [{ id: 2 }]],
  })
  t.strictSame(pickFields([{ id: 1, x: 1 }, { id: 2 }], fieldTree(['id'])), [{ id: 1 }, { id: 2 }])
})

t.test('pickFields and arrays of primitives: kept whole when selected, dropped when a path goes inside', async (t) => {
  t.strictSame(pickFields({ tags: ['a', 'b'], x: 1 }, fieldTree(['tags'])), { tags: ['a', 'b'] })
  t.strictSame(pickFields({ tags: ['a', 'b'] }, fieldTree(['tags.name'])), { tags: [] })
  t.strictSame(pickFields({ mixed: [{ id: 1, x: 1 }, 'a', null, 2] }, fieldTree(['mixed.id'])), { mixed: [{ id: 1 }] })
})

t.test('pickFields returns non-objects as they are', async (t) => {
  const tree = fieldTree(['id'])
  for (const value of ['text', 3, null, undefined, true]) t.equal(pickFields(value, tree), value)
})

t.test('pickFields does not modify its input', async (t) => {
  const value = { a: { b: 1, c: 2 }, d: [{ e: 1, f: 2 }] }
  pickFields(value, fieldTree(['a.b', 'd.e']))
  t.strictSame(value, { a: { b: 1, c: 2 }, d: [{ e: 1, f: 2 }] })
})

t.test('pickFields never reads inherited keys', async (t) => {
  t.strictSame(pickFields({ id: 1 }, fieldTree(['constructor', 'toString', 'hasOwnProperty', 'id'])), { id: 1 })
  t.strictSame(pickFields({ id: 1 }, fieldTree(['constructor.prototype', '__proto__.polluted'])), {})
})

t.test('pickFields: an own "__proto__" (from JSON) stays a field, never the prototype', async (t) => {
  const hostile: unknown = JSON.parse('{"__proto__": {"admin": true, "x": 1}, "id": 1}')
  const whole = pickFields(hostile, fieldTree(['__proto__', 'id'])) as Record<string, unknown>
  t.equal(Object.getPrototypeOf(whole), Object.prototype)
  t.equal(whole.admin, undefined)
  t.ok(Object.hasOwn(whole, '__proto__'))
  t.equal(JSON.stringify(whole), '{"__proto__":{"admin":true,"x":1},"id":1}')
  const part = pickFields(hostile, fieldTree(['__proto__.admin'])) as Record<string, unknown>
  t.equal(Object.getPrototypeOf(part), Object.prototype)
  t.equal(JSON.stringify(part), '{"__proto__":{"admin":true}}')
  t.equal(({} as Record<string, unknown>).admin, undefined)
})

t.test('pickFields: any field name is data, never code', async (t) => {
  const names = ['we"ird', "it's", 'back\\slash', 'line\u2028break', '});globalThis["hacked"]=1;//', '${x}', '0', '']
  const value = Object.fromEntries(names.map((name, index) => [name, { keep: index, drop: true }]))
  const picked = pickFields(value, fieldTree(names.filter(Boolean).map((name) => `${name}.keep`))) as Record<string, unknown>
  t.strictSame(picked, Object.fromEntries(names.filter(Boolean).map((name) => [name, { keep: names.indexOf(name) }])))
  t.equal((globalThis as Record<string, unknown>).hacked, undefined)
})

t.test('omitFields removes nested paths and keeps everything else', async (t) => {
  const value = { id: 1, password: 'x', profile: { name: 'Ada', token: 't', deep: { secret: 1, open: 2 } } }
  t.strictSame(omitFields(value, fieldTree(['password', 'profile.deep.secret', 'missing', 'profile.missing.x'])), {
    id: 1,
    profile: { name: 'Ada', token: 't', deep: { open: 2 } },
  })
})

t.test('omitFields walks through arrays of objects and leaves primitives in place', async (t) => {
  const value = { items: [{ id: 1, cost: 1 }, 'loose', null, [{ cost: 2, id: 2 }]], tags: ['a', 'b'] }
  t.strictSame(omitFields(value, fieldTree(['items.cost', 'tags.cost'])), {
    items: [{ id: 1 }, 'loose', null, [{ id: 2 }]],
    tags: ['a', 'b'],
  })
  t.strictSame(omitFields([{ id: 1, x: 1 }, 3], fieldTree(['x'])), [{ id: 1 }, 3])
})

t.test('omitFields: overlapping paths, in either order, remove the whole shorter one', async (t) => {
  const value = { a: { b: 1, c: 2 }, b: 3 }
  t.strictSame(omitFields(value, fieldTree(['a', 'a.b'])), { b: 3 })
  t.strictSame(omitFields(value, fieldTree(['a.b', 'a'])), { b: 3 })
})

t.test('omitFields keeps key order and does not modify its input', async (t) => {
  const value = { z: 1, a: { y: 1, b: 2 }, m: 3 }
  const out = omitFields(value, fieldTree(['a.y'])) as Record<string, unknown>
  t.strictSame(Object.keys(out), ['z', 'a', 'm'])
  t.strictSame(value, { z: 1, a: { y: 1, b: 2 }, m: 3 })
})

t.test('omitFields: an own "__proto__" (from JSON) stays a field, never the prototype', async (t) => {
  const hostile: unknown = JSON.parse('{"__proto__": {"admin": true}, "id": 1, "nested": {"__proto__": {"root": true}}}')
  const out = omitFields(hostile, fieldTree(['id'])) as Record<string, Record<string, unknown>>
  t.equal(Object.getPrototypeOf(out), Object.prototype)
  t.equal(out.admin, undefined)
  t.equal(Object.getPrototypeOf(out.nested), Object.prototype)
  t.equal(out.nested?.root, undefined)
  t.equal(JSON.stringify(out), '{"__proto__":{"admin":true},"nested":{"__proto__":{"root":true}}}')
  t.equal(JSON.stringify(omitFields(hostile, fieldTree(['__proto__']))), '{"id":1,"nested":{"__proto__":{"root":true}}}')
})

t.test('selects and drops answer for a streaming parser, skipping array indices', async (t) => {
  const tree = fieldTree(['user.name', 'items.id', 'all'])
  t.ok(selects(tree, []))
  t.ok(selects(tree, ['user']))
  t.ok(selects(tree, ['user', 'name']))
  t.notOk(selects(tree, ['user', 'email']))
  t.ok(selects(tree, ['items', 0, 'id']))
  t.notOk(selects(tree, ['items', 0, 'x']))
  t.ok(selects(tree, ['all', 'anything', 3]))
  t.notOk(selects(tree, ['other']))
  t.ok(drops(tree, ['all']))
  t.ok(drops(tree, ['user', 'name']))
  t.ok(drops(tree, ['items', 2, 'id']))
  t.notOk(drops(tree, ['user']))
  t.notOk(drops(tree, ['other']))
})

t.test('copyNestedArrays copies arrays in arrays in order, objects through `each`, scalars kept or dropped', async (t) => {
  const input = [1, [{ a: 1 }, [2, [{ b: 2 }]], []], null, { c: 3 }]
  t.strictSame(copyNestedArrays(input, (item) => ({ copied: Object.keys(item) }), true), [
    1,
    [{ copied: ['a'] }, [2, [{ copied: ['b'] }]], []],
    null,
    { copied: ['c'] },
  ])
  t.strictSame(copyNestedArrays(input, (item) => item, false), [[{ a: 1 }, [[{ b: 2 }]], []], { c: 3 }])
  const deep = underDeepStack(DEEP_STACK, () => copyNestedArrays(nestedArrays(100_000, 'x') as unknown[], (item) => item, true))
  t.equal(depthOf(deep), 100_000, 'no stack frame per level')
  const shared = [1]
  t.strictSame(copyNestedArrays([shared, [shared]], (item) => item, true), [[1], [[1]]], 'an array met twice is no cycle')
  const cyclic: unknown[] = [[1]]
  ;(cyclic[0] as unknown[]).push(cyclic)
  t.throws(() => copyNestedArrays(cyclic, (item) => item, true), TypeError, 'a cycle throws rather than copying forever')
  t.throws(() => pickFields({ a: cyclic }, fieldTree(['a.b'])), TypeError)
  t.throws(() => omitFields(cyclic, fieldTree(['b'])), TypeError)
})

t.test('pickFields and omitFields walk 10,000-deep data deep inside a stack: nested arrays cost no stack', async (t) => {
  const doc = { id: 1, items: nestedArrays(10_000, { sku: 'a', secret: 's' }), secret: 'x' }
  const picked = underDeepStack(DEEP_STACK, () => pickFields(doc, fieldTree(['id', 'items.sku']))) as { id: number; items: unknown }
  t.equal(picked.id, 1)
  t.equal(depthOf(picked.items), 10_001)
  t.strictSame(innermost(picked.items), { sku: 'a' })
  const omitted = underDeepStack(DEEP_STACK, () => omitFields(doc, fieldTree(['secret', 'items.secret']))) as Record<string, unknown>
  t.strictSame(Object.keys(omitted), ['id', 'items'])
  t.equal(depthOf(omitted.items), 10_001)
  t.strictSame(innermost(omitted.items), { sku: 'a' })
  const root = nestedArrays(10_000, { a: 1, b: 2 })
  t.strictSame(innermost(underDeepStack(DEEP_STACK, () => pickFields(root, fieldTree(['a'])))), { a: 1 }, 'a root array')
  t.strictSame(innermost(underDeepStack(DEEP_STACK, () => omitFields(root, fieldTree(['a'])))), { b: 2 })
})

t.test('deep objects cost the stack only as deep as the paths go', async (t) => {
  const doc = nestedObjects(10_000, 'end')
  const picked = underDeepStack(DEEP_STACK, () => pickFields(doc, fieldTree(['a.a.a'])))
  t.equal(depthOf(picked), 10_000, 'the selected subtree kept as it is')
  const omitted = underDeepStack(DEEP_STACK, () => omitFields(doc, fieldTree(['a.a.b'])))
  t.equal(depthOf(omitted), 10_000)
  t.equal(innermost(omitted), innermost(doc), 'what is not on a path is shared, not copied')
})
