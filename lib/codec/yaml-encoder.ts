import { stringify, type ToStringOptions, type CreateNodeOptions, type DocumentOptions, type SchemaOptions } from 'yaml'
import type { Encode } from './json-encoder.js'

/**
 * The YAML encoder (KrakenD's `yaml` output, and `negotiate` for YAML or `text/plain`). An object
 * met twice in the data is written twice, not as an anchor and alias: the data came as JSON-like
 * values and clients expect plain YAML. Strings that would read as something else (`"123"`,
 * `"true"`) are quoted, so the client reads back what was sent.
 */
export function yamlEncoder(): Encode {
  const options: DocumentOptions & SchemaOptions & CreateNodeOptions & ToStringOptions = { aliasDuplicateObjects: false }
  return (value) => stringify(value, options) ?? ''
}
