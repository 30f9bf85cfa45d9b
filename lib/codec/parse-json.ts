import { canNestDeeperThan, checkNesting, DEFAULT_MAX_NESTING_DEPTH } from './depth.js'

/**
 * `JSON.parse` with the nesting limit of backend documents, for JSON the gateway reads itself (a
 * client's request body, say). Bytes are read as UTF-8, a leading byte order mark skipped. Throws
 * a `SyntaxError`: bad JSON, or a `NestingTooDeepError` (depth.ts) for a document nested deeper than
 * `maxNestingDepth` levels (10,000 by default, as Go's encoding/json). A text shorter than two
 * characters per level allowed is not checked: it cannot be that deep.
 *
 * @example
 * parseJson('{"a":[1,2]}')                 // { a: [1, 2] }
 * parseJson('['.repeat(20_000) + ']'.repeat(20_000)) // throws NestingTooDeepError
 */
export function parseJson(text: string | Buffer, maxNestingDepth = DEFAULT_MAX_NESTING_DEPTH): unknown {
  let source = typeof text === 'string' ? text : text.toString('utf8')
  if (source.charCodeAt(0) === 0xfeff) source = source.slice(1)
  const value: unknown = JSON.parse(source)
  if (canNestDeeperThan(source.length, maxNestingDepth)) checkNesting(value, maxNestingDepth)
  return value
}
