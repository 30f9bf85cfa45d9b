import { stringify, type ToStringOptions, type CreateNodeOptions, type DocumentOptions, type SchemaOptions } from 'yaml'
import type { Encode } from './json-encoder.js'
import { checkEncodable, unencodable } from './unencodable.js'

/**
 * The YAML encoder (KrakenD's `yaml` output, and `negotiate` for YAML or `text/plain`). An object
 * met twice in the data is written twice, not as an anchor and alias: the data came as JSON-like
 * values and clients expect plain YAML. Strings that would read as something else (`"123"`,
 * `"true"`) are quoted, so the client reads back what was sent.
 *
 * The `yaml` library recurses per level and runs out of stack at a few hundred levels (about 650
 * for objects from a shallow stack, fewer from deep inside a pipeline): deeper data fails with a
 * `RENDER` error, as do a cycle and a BigInt (found first by an iterative walk, which names them)
 * and values YAML has no form for (a function, a symbol). Never a stack overflow.
 */
export function yamlEncoder(): Encode {
  const options: DocumentOptions & SchemaOptions & CreateNodeOptions & ToStringOptions = { aliasDuplicateObjects: false }
  return (value) => {
    checkEncodable(value, 'YAML')
    try {
      return stringify(value, options) ?? ''
    } catch (error) {
      const why =
        error instanceof RangeError
          ? 'it nests too deeply for the YAML writer: answer with JSON (output_encoding json) or flatten the data'
          : `${error instanceof Error ? error.message : String(error)}: give the pipeline plain data (objects, arrays, strings, numbers, booleans, null)`
      throw unencodable('YAML', why, error)
    }
  }
}
