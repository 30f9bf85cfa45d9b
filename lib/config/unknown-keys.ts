import { didYouMean } from './did-you-mean.js'

/** A JSON Schema node, as far as the key walk reads it. */
export interface SchemaNode {
  readonly $ref?: string
  readonly properties?: Readonly<Record<string, SchemaNode>>
  readonly additionalProperties?: boolean | SchemaNode
  readonly items?: SchemaNode
  readonly definitions?: Readonly<Record<string, SchemaNode>>
  /** A KrakenD key rxgate reads past: known, so never a typo, and never enforced. */
  readonly 'x-unimplemented'?: boolean
}

/** A key the schema does not list where it was found, or lists as one rxgate ignores. */
export interface KeyFinding {
  readonly pointer: string
  /** `unknown`: no known key (most often a typo); `unimplemented`: KrakenD's, ignored by rxgate. */
  readonly kind: 'unknown' | 'unimplemented'
  readonly message: string
}

/**
 * Walks a configuration alongside its JSON Schema, following `$ref`, and reports every key of an
 * object whose schema lists `properties` that is not one of them, with the known key it most
 * likely meant. An object whose schema says `"additionalProperties": true` (extra_config, where
 * any namespace may sit) or lists no properties (free data) has no unknown keys. `@comment`-style
 * keys (starting with `@`, `$` or `#`) are annotations, never reported.
 */
export function findUnknownKeys(data: unknown, schema: SchemaNode): KeyFinding[] {
  const findings: KeyFinding[] = []
  walk(data, schema, '', schema, findings)
  return findings
}

function walk(value: unknown, node: SchemaNode, pointer: string, root: SchemaNode, findings: KeyFinding[]): void {
  const schema = resolve(node, root)
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, index) => walk(item, schema.items!, `${pointer}/${index}`, root, findings))
    return
  }
  if (!isObject(value)) return
  const properties = schema.properties ?? {}
  // with no list of properties, an object is free data (static data, an ignored namespace)
  const listed = schema.properties !== undefined && schema.additionalProperties !== true
  for (const [key, child] of Object.entries(value)) {
    if (/^[@$#]/.test(key)) continue
    const at = `${pointer}/${escapePointer(key)}`
    const known = Object.hasOwn(properties, key) ? resolve(properties[key]!, root) : undefined
    if (known?.['x-unimplemented']) {
      findings.push({ pointer: at, kind: 'unimplemented', message: 'is a KrakenD setting rxgate does not implement: ignored' })
    } else if (known) {
      walk(child, known, at, root, findings)
    } else if (typeof schema.additionalProperties === 'object') {
      walk(child, schema.additionalProperties, at, root, findings)
    } else if (listed) {
      const suggestion = didYouMean(key, Object.keys(properties))
      const message = suggestion === undefined
        ? 'is not a key rxgate knows: ignored'
        : `is not a key rxgate knows; did you mean ${JSON.stringify(suggestion)}?`
      findings.push({ pointer: at, kind: 'unknown', message })
    }
  }
}

/** Follows `$ref`s (`#/definitions/name`, the only kind the schema uses) to the node they name. */
function resolve(node: SchemaNode, root: SchemaNode): SchemaNode {
  let current = node
  for (let hops = 0; current.$ref !== undefined && hops < 32; hops++) {
    const name = /^#\/definitions\/(.+)$/.exec(current.$ref)?.[1]
    const target = name === undefined ? undefined : root.definitions?.[name]
    if (target === undefined) throw new Error(`the schema's $ref ${current.$ref} names nothing`)
    current = target
  }
  return current
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1')
}
