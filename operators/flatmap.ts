import { map, type OperatorFunction } from 'rxjs'
import { ErrorCodes, RxgateError } from '../lib/errors.js'
import { checkPath } from './arguments.js'
import { setField } from './fields.js'

/** One operation of KrakenD's `flatmap_filter`: `{ type: 'move', args: ['a.*.b', 'a.*.c'] }`. */
export interface FlatmapOperation {
  readonly type: 'move' | 'del' | 'append'
  readonly args: readonly string[]
}

/**
 * Reshapes each value with KrakenD's flatmap operations (`flatmap_filter`), which reach into
 * arrays. Paths are dot paths where a number is an array index (`a.0.b`) and `*` matches every
 * key or index at its level (`a.*.b`). The operations run in order, each on the result of the
 * previous one:
 *
 * - `move [from, to]` renames or relocates every match of `from`. The destination keeps the
 *   source's path up to its last wildcard, so that each match has its own place: `a.*.b1.*.c` can
 *   go to `a.*.b1.*.d` (a rename, in place) or `a.*.b1.*.c.d.e` (deeper), and `a.*.b1.0.c` to
 *   `a.*.c`, but `a.*.b1.*.c` cannot go to `a.*.c` (several values in one place) or `a.*.x.*.c`.
 *   Missing objects on the way are created (a scalar in the way is replaced, as in KrakenD); an
 *   index in an array inserts there. A moved value replaces one already at the destination.
 * - `del [path, ...]` removes every match; a removed array element closes the gap.
 * - `append [from, to]` concatenates the array at `from` after the array at `to` and removes
 *   `from` (both must be arrays, else nothing happens; no wildcards).
 *
 * A path that matches nothing changes nothing, and neither does an empty list. Containers
 * emptied by `move` or `del` stay `{}` or `[]` (KrakenD's tree turns them into `null`). Paths are
 * compiled once here; per value, only the containers on a changed path are copied: the input is
 * never modified.
 *
 * @example
 * of({ shipping_id: 'f15f', zone: { state: 'NY', zip: '10001' } })
 *   .pipe(flatmap([
 *     { type: 'move', args: ['zone.state', 'shipping_state'] },
 *     { type: 'move', args: ['zone.zip', 'shipping_zip'] },
 *     { type: 'del', args: ['zone'] },
 *   ]))
 *   .subscribe(console.log)
 * // { shipping_id: 'f15f', shipping_state: 'NY', shipping_zip: '10001' }
 */
export function flatmap(operations: readonly FlatmapOperation[]): OperatorFunction<unknown, unknown> {
  if (!Array.isArray(operations)) {
    throw bad('flatmap(): expected a list of operations like { type: "move", args: ["a.*.b", "a.*.c"] }')
  }
  const compiled = operations.map(compile)
  // An empty list changes nothing, as in KrakenD, where it turns the filter off.
  if (compiled.length === 0) return (values) => values
  return map((value) => {
    if (!isContainer(value)) return value
    const work: Work = { top: [value], fresh: new Set() }
    for (const operation of compiled) operation(work)
    return work.top[0]
  })
}

/** One segment of a compiled path: a key, with its array index (-1 when it is not one), or `*`. */
interface Step {
  readonly key: string
  readonly index: number
  readonly any: boolean
}

type Key = string | number
type Container = Record<string, unknown> | unknown[]

/**
 * A value being reshaped. The value sits at `top[0]`, so that it can be replaced like any other;
 * `fresh` holds the containers copied (or made) for this value, which alone may be changed.
 */
interface Work {
  readonly top: unknown[]
  readonly fresh: Set<object>
}

interface Match {
  readonly value: unknown
  /** The keys from `top`: 0 first, then one per step. */
  readonly path: readonly Key[]
}

type Operation = (work: Work) => void

function compile(operation: FlatmapOperation, position: number): Operation {
  if (typeof operation !== 'object' || operation === null || !Array.isArray(operation.args)) {
    throw bad(`flatmap(): operation ${position} must be like { type: "del", args: ["a.0"] }, got ${show(operation)}`)
  }
  const { type, args } = operation
  const paths = args.map((path: unknown) => steps(checkPath('flatmap', path)))
  const name = `flatmap(): operation ${position} (${show(type)})`
  switch (type) {
    case 'del':
      if (paths.length === 0) throw bad(`${name} needs at least one path to delete`)
      return (work) => {
        for (const path of paths) del(work, path)
      }
    case 'move':
      if (paths.length !== 2) throw bad(`${name} needs two paths, from and to, got ${args.length}`)
      return compileMove(name, args[0]!, args[1]!, paths[0]!, paths[1]!)
    case 'append':
      if (paths.length !== 2) throw bad(`${name} needs two paths, the array to append and the array to append it to, got ${args.length}`)
      if (args[0] === args[1]) throw bad(`${name} appends "${args[0]}" to itself`)
      for (const path of args) {
        if (path.split('.').includes('*')) throw bad(`${name}: "${path}" has a wildcard, but append takes one array to another`)
      }
      return (work) => append(work, paths[0]!, paths[1]!)
    default:
      throw bad(`flatmap(): operation ${position} has the type ${show(type)}: use "move", "del" or "append"`)
  }
}

function compileMove(name: string, fromPath: string, toPath: string, from: readonly Step[], to: readonly Step[]): Operation {
  if (from.at(-1)!.any || to.at(-1)!.any) {
    throw bad(`${name}: "${fromPath}" -> "${toPath}": the last segment of both paths must name a key or an index, not *`)
  }
  if (fromPath === toPath) throw bad(`${name} moves "${fromPath}" onto itself`)
  // Everything up to the source's last wildcard is shared with the destination: each match then
  // lands in its own place, never several in one (KrakenD's "missing level") nor in a new array.
  const shared = from.findLastIndex((step) => step.any) + 1
  const prefix = from.slice(0, shared)
  if (to.length <= shared || prefix.some((step, i) => step.key !== to[i]!.key)) {
    throw bad(
      `${name}: "${fromPath}" -> "${toPath}": the destination must start with "${keysOf(prefix)}", ` +
        `the source's path up to its last wildcard, so that every match has its own place`,
    )
  }
  if (to.slice(shared).some((step) => step.any)) {
    throw bad(`${name}: "${fromPath}" -> "${toPath}": the destination has more wildcards than the source`)
  }
  const rest = to.slice(shared)
  // Same parent, another key: a rename, done in place to keep the key order.
  const rename = from.length === to.length && from.slice(0, -1).every((step, i) => step.key === to[i]!.key)
  const newKey = to.at(-1)!.key
  return (work) => {
    for (const { path } of find(work.top, from)) {
      const key = path.at(-1)!
      const holder = writable(work, path.slice(0, -2))!
      const parentKey = path.at(-2)!
      const current = (holder as Record<Key, unknown>)[parentKey]
      if (rename && isObject(current)) {
        const renamed = renameKey(current, key as string, newKey)
        work.fresh.add(renamed)
        put(holder, parentKey, renamed)
        continue
      }
      const parent = own(work, holder, parentKey)!
      const value = take(parent, key)
      if (!place(work, path.slice(0, shared + 1), rest, value)) restore(parent, key, value)
    }
  }
}

function del(work: Work, path: readonly Step[]): void {
  const last = path.at(-1)!
  if (last.any) {
    // `a.*`: every key or element of each container found goes.
    for (const { value, path: at } of find(work.top, path.slice(0, -1))) {
      if (!isContainer(value)) continue
      const emptied = Array.isArray(value) ? [] : {}
      work.fresh.add(emptied)
      put(writable(work, at.slice(0, -1))!, at.at(-1)!, emptied)
    }
    return
  }
  // Each match has its own parent (the last step is one key), so removing one never shifts another.
  for (const { path: at } of find(work.top, path)) take(writable(work, at.slice(0, -1))!, at.at(-1)!)
}

function append(work: Work, from: readonly Step[], to: readonly Step[]): void {
  const [source] = find(work.top, from)
  const [target] = find(work.top, to)
  if (!source || !target || !Array.isArray(source.value) || !Array.isArray(target.value)) return
  const joined = [...target.value, ...source.value]
  work.fresh.add(joined)
  put(writable(work, target.path.slice(0, -1))!, target.path.at(-1)!, joined)
  // Found again: the source may have been inside the array just replaced.
  const [again] = find(work.top, from)
  if (again) take(writable(work, again.path.slice(0, -1))!, again.path.at(-1)!)
}

/** Every value a path reaches, read-only: nothing is copied for paths that lead nowhere. */
function find(top: readonly unknown[], path: readonly Step[]): Match[] {
  let matches: Match[] = [{ value: top[0], path: [0] }]
  for (const step of path) {
    const next: Match[] = []
    for (const { value, path: at } of matches) {
      if (Array.isArray(value)) {
        if (step.any) value.forEach((item, i) => next.push({ value: item, path: [...at, i] }))
        else if (step.index >= 0 && step.index < value.length) next.push({ value: value[step.index], path: [...at, step.index] })
      } else if (isObject(value)) {
        if (step.any) for (const key of Object.keys(value)) next.push({ value: value[key], path: [...at, key] })
        else if (Object.hasOwn(value, step.key)) next.push({ value: value[step.key], path: [...at, step.key] })
      }
    }
    if (next.length === 0) return next
    matches = next
  }
  return matches
}

/** The container at `path` (from `top`), after copying it and every container above it that is not this value's own yet. */
function writable(work: Work, path: readonly Key[]): Container | undefined {
  let node: Container = work.top
  for (const key of path) {
    const child = own(work, node, key)
    if (child === undefined) return undefined
    node = child
  }
  return node
}

function own(work: Work, holder: Container, key: Key): Container | undefined {
  // Own fields only: a missing `__proto__` or `constructor` must not reach into the prototype.
  const child = Array.isArray(holder) ? holder[key as number] : Object.hasOwn(holder, key) ? holder[key] : undefined
  if (!isContainer(child)) return undefined
  if (work.fresh.has(child)) return child
  // Spread keeps an own `__proto__` key a field (it defines, it does not assign).
  const copy = Array.isArray(child) ? child.slice() : { ...child }
  work.fresh.add(copy)
  put(holder, key, copy)
  return copy
}

/**
 * Puts a moved value at the destination's remaining steps under `base` (the match's shared
 * prefix). False when an array on the way has no such index: the value then stays where it was.
 */
function place(work: Work, base: readonly Key[], rest: readonly Step[], value: unknown): boolean {
  let node = writable(work, base)
  if (node === undefined) return false
  for (const step of rest.slice(0, -1)) {
    let key: Key = step.key
    if (Array.isArray(node)) {
      if (step.index < 0 || step.index >= node.length) return false
      key = step.index
    }
    let child = own(work, node, key)
    if (child === undefined) {
      child = {}
      work.fresh.add(child)
      put(node, key, child)
    }
    node = child
  }
  const last = rest.at(-1)!
  if (!Array.isArray(node)) {
    setField(node, last.key, value)
    return true
  }
  if (last.index < 0 || last.index > node.length) return false
  node.splice(last.index, 0, value)
  return true
}

function take(parent: Container, key: Key): unknown {
  if (Array.isArray(parent)) return parent.splice(key as number, 1)[0]
  const value = parent[key]
  delete parent[key]
  return value
}

function restore(parent: Container, key: Key, value: unknown): void {
  if (Array.isArray(parent)) parent.splice(key as number, 0, value)
  else setField(parent, key as string, value)
}

function put(holder: Container, key: Key, value: unknown): void {
  if (Array.isArray(holder)) holder[key as number] = value
  else setField(holder, key as string, value)
}

/** A copy with one key renamed where it stood; a field that already had the new name is replaced. */
function renameKey(object: Record<string, unknown>, from: string, to: string): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(object)) {
    if (key === from) setField(out, to, object[key])
    else if (key !== to) setField(out, key, object[key])
  }
  return out
}

function steps(path: string): Step[] {
  return path.split('.').map((key) => ({ key, index: /^(?:0|[1-9]\d{0,8})$/.test(key) ? Number(key) : -1, any: key === '*' }))
}

function keysOf(path: readonly Step[]): string {
  return path.map((step) => step.key).join('.')
}

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function bad(message: string) {
  return new RxgateError(ErrorCodes.BAD_ARGUMENT, message)
}

function show(value: unknown): string {
  return value === undefined ? 'undefined' : JSON.stringify(value) ?? String(value)
}
