import { fieldTree, omitFields, pickFields, type FieldTree } from '../../operators/fields.js'

/** A decoded value's `allow` / `deny` applied after decoding, compiled once per backend. */
export type Trim = (value: unknown) => unknown

/** Compiles the allow / deny lists of a decoder that prunes the decoded value (safejson, xml). */
export function compileTrim(allow?: readonly string[], deny?: readonly string[]): Trim | undefined {
  const picked: FieldTree | undefined = allow?.length ? fieldTree(allow) : undefined
  const omitted: FieldTree | undefined = deny?.length ? fieldTree(deny) : undefined
  if (!picked && !omitted) return undefined
  return (value) => {
    let out = value
    if (picked) out = pickFields(out, picked)
    if (omitted) out = omitFields(out, omitted)
    return out
  }
}
