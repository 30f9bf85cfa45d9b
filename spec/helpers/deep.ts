/**
 * Deeply nested data for the tests of the nesting limit and of the walks that must survive it.
 * Everything here is iterative: tap's own comparisons recurse, so deep values are compared with
 * {@link depthOf} and {@link innermost}, or as text.
 */

/** `depth` arrays, one in the other, around `leaf`: `[[[leaf]]]` for 3. */
export function nestedArrays(depth: number, leaf: unknown = 1): unknown {
  let value = leaf
  for (let i = 0; i < depth; i++) value = [value]
  return value
}

/** `depth` objects, one in the other under `key`, around `leaf`: `{a:{a:{a:leaf}}}` for 3. */
export function nestedObjects(depth: number, leaf: unknown = 1, key = 'a'): unknown {
  let value = leaf
  for (let i = 0; i < depth; i++) value = { [key]: value }
  return value
}

/** The JSON text of {@link nestedArrays} (`[[[1]]]`), or of objects (`{"a":{"a":1}}`). */
export function nestedText(depth: number, kind: 'arrays' | 'objects', leaf = '1'): string {
  return kind === 'arrays' ? `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`
}

/** How deep the chain of first children goes: the depth of {@link nestedArrays} or {@link nestedObjects}. */
export function depthOf(value: unknown): number {
  let depth = 0
  let node = value
  while (typeof node === 'object' && node !== null) {
    depth++
    node = Array.isArray(node) ? node[0] : Object.values(node)[0]
  }
  return depth
}

/** The innermost container of a chain of first children (or the value itself when it is not one). */
export function innermost(value: unknown): unknown {
  let node = value
  for (;;) {
    const child = Array.isArray(node) ? node[0] : typeof node === 'object' && node !== null ? Object.values(node)[0] : undefined
    if (typeof child !== 'object' || child === null) return node
    node = child
  }
}

/**
 * Runs `f` under `frames` extra stack frames, as when an operator runs deep inside an RxJS
 * pipeline: a walk that recurses per level of its data then overflows far sooner.
 */
export function underDeepStack<T>(frames: number, f: () => T): T {
  return frames === 0 ? f() : underDeepStack(frames - 1, f)
}

/** The frames {@link underDeepStack} adds in these tests. */
export const DEEP_STACK = 3000
