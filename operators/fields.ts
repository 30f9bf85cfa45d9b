/**
 * Field selection by dot paths (`a.b.c`), compiled once into a tree and then applied to values.
 * A path walks through arrays transparently: `items.id` selects `id` in every element of `items`.
 * Shared by `pick`/`omit` and by the backend's streaming decoder, which prunes tokens with it.
 */

/** A compiled set of dot paths: each key leads to a subtree, or to `true` when the path ends there. */
export type FieldTree = ReadonlyMap<string, FieldTree | true>

/** Compiles dot paths into a {@link FieldTree}. A shorter path covers every longer one it prefixes. */
export function fieldTree(paths: readonly string[]): FieldTree {
  const root: Branch = new Map()
  for (const path of paths) {
    const keys = path.split('.')
    let node = root
    for (const [depth, key] of keys.entries()) {
      const next = node.get(key)
      // A shorter path already selects all of it: stop here, and do not go on from the wrong level.
      if (next === true) break
      if (depth === keys.length - 1) node.set(key, true)
      else {
        const child = next ?? new Map()
        node.set(key, child)
        node = child
      }
    }
  }
  return root
}

type Branch = Map<string, Branch | true>

/**
 * Keeps only the fields the tree selects. Non-objects are returned as they are; inside an array,
 * elements that are not objects or arrays have no fields to select and are dropped.
 */
export function pickFields(value: unknown, tree: FieldTree): unknown {
  return picker(tree)(value)
}

type Pick = (value: unknown) => unknown
const pickers = new WeakMap<FieldTree, Pick>()

/**
 * The tree compiled once into plain JavaScript, one function per level, the way fast-json-stringify
 * compiles a schema: each field a property access with its name written out, which the engine
 * runs far faster than a loop over keys held in a list (measured: about 3x on an API document).
 * Field names go in as JSON string literals, so no name can be read as code; `__proto__` is set as
 * a field, not as the prototype (see `setField`).
 *
 * A level calls the next one for each selected object, so the stack grows with the tree's depth
 * (the longest path), never with the data's: an array's items are picked in a loop, and arrays
 * nested in arrays, which the data may stack 10,000 deep, go to `copyNestedArrays`.
 */
function picker(tree: FieldTree): Pick {
  let pick = pickers.get(tree)
  if (pick) return pick
  const levels: string[] = []
  const level = (node: FieldTree): string => {
    const index = levels.length
    const name = `pick${index}`
    // Reserved now: the children below take the next places.
    levels.push('')
    const fields = [...node].map(([key, sub]) => {
      const literal = JSON.stringify(key)
      const set = (value: string) => (key === '__proto__' ? `setField(out, ${literal}, ${value})` : `out[${literal}] = ${value}`)
      if (sub === true) return `  if (hasOwn(value, ${literal})) ${set(`value[${literal}]`)}`
      const child = level(sub)
      return `  if (hasOwn(value, ${literal})) { found = value[${literal}]; if (typeof found === 'object' && found !== null) ${set(`${child}(found)`)} }`
    })
    levels[index] = [
      `function ${name}(value) {`,
      `  if (Array.isArray(value)) { const out = []; for (const item of value) if (typeof item === 'object' && item !== null) out.push(Array.isArray(item) ? copyNestedArrays(item, ${name}, false) : ${name}(item)); return out }`,
      `  if (typeof value !== 'object' || value === null) return value`,
      `  const out = {}`,
      `  let found`,
      ...fields,
      `  return out`,
      `}`,
    ].join('\n')
    return name
  }
  const root = level(tree)
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  pick = new Function('hasOwn', 'setField', 'copyNestedArrays', `${levels.join('\n')}\nreturn ${root}`)(Object.hasOwn, setField, copyNestedArrays) as Pick
  pickers.set(tree, pick)
  return pick
}

/**
 * Removes the fields the tree selects, keeping everything else. Non-objects are returned as they
 * are. The stack grows with the tree's depth only: arrays, nested to any depth, are copied in a loop.
 */
export function omitFields(value: unknown, tree: FieldTree): unknown {
  if (Array.isArray(value)) return copyNestedArrays(value, (item) => omitObject(item, tree), true)
  return isObject(value) ? omitObject(value, tree) : value
}

function omitObject(value: Record<string, unknown>, tree: FieldTree): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    const sub = tree.get(key)
    if (sub === true) continue
    setField(out, key, sub === undefined ? value[key] : omitFields(value[key], sub))
  }
  return out
}

/**
 * Copies an array and the arrays nested in it, to any depth, with an explicit stack instead of a
 * call per level: `each` makes the copy of every object found (never called with an array), and
 * other items are kept (`keepScalars`) or dropped. Items keep their order. An array that contains
 * itself throws a `TypeError` (as `JSON.stringify` does), where a copy would never end.
 */
export function copyNestedArrays(array: readonly unknown[], each: (item: Record<string, unknown>) => unknown, keepScalars: boolean): unknown[] {
  const root: unknown[] = []
  // Per open array: its items, the next index, and its copy.
  const sources: (readonly unknown[])[] = [array]
  const indices: number[] = [0]
  const copies: unknown[][] = [root]
  // The open arrays, for cycles; made at the first nested array, which most data never has.
  let open: Set<readonly unknown[]> | undefined
  while (sources.length > 0) {
    const top = sources.length - 1
    const source = sources[top]!
    const index = indices[top]!
    if (index >= source.length) {
      open?.delete(source)
      sources.pop()
      indices.pop()
      copies.pop()
      continue
    }
    indices[top] = index + 1
    const item = source[index]
    const copy = copies[top]!
    if (Array.isArray(item)) {
      open ??= new Set(sources)
      if (open.has(item)) throw new TypeError('cannot select fields in an array that contains itself: give the operator plain data (a copy, not a cycle)')
      open.add(item)
      const inner: unknown[] = []
      copy.push(inner)
      sources.push(item)
      indices.push(0)
      copies.push(inner)
    } else if (typeof item === 'object' && item !== null) copy.push(each(item as Record<string, unknown>))
    else if (keepScalars) copy.push(item)
  }
  return root
}

/**
 * For a streaming parser: whether the value at `path` (object keys and array indices from the
 * root) can hold anything the tree selects. Array indices are skipped, as in {@link pickFields}.
 */
export function selects(tree: FieldTree, path: readonly (string | number | null)[]): boolean {
  let node: FieldTree | true = tree
  for (const key of path) {
    if (typeof key !== 'string') continue
    if (node === true) return true
    const next: FieldTree | true | undefined = node.get(key)
    if (next === undefined) return false
    node = next
  }
  return true
}

/** For a streaming parser: whether the value at `path` is dropped whole by an omit of the tree. */
export function drops(tree: FieldTree, path: readonly (string | number | null)[]): boolean {
  let node: FieldTree | true = tree
  for (const key of path) {
    if (typeof key !== 'string') continue
    if (node === true) return true
    const next: FieldTree | true | undefined = node.get(key)
    if (next === undefined) return false
    node = next
  }
  return node === true
}

/**
 * Sets an own, enumerable field. `JSON.parse` makes `__proto__` an ordinary own key, but a plain
 * assignment of it would replace the output's prototype instead: keep it a field, as it came.
 */
export function setField(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
