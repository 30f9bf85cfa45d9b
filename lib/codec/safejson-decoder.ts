import type { BodyDecoder, DecoderFactory } from './decoder.js'
import { jsonDecoder } from './json-decoder.js'
import { compileTrim, type Trim } from './trim.js'

export interface SafeJsonDecoderOptions {
  /** Dot paths to keep, applied to the wrapped value (`collection.id` for an array's elements). */
  readonly allow?: readonly string[]
  /** Dot paths to remove, applied after `allow`. */
  readonly deny?: readonly string[]
  /** Overrides the JSON decoder's streaming threshold (tests). */
  readonly threshold?: number
  /**
   * Documents nested deeper than this many levels fail, as with `json` (default 10,000). The
   * document as sent is counted: the `collection` or `content` wrapper is not a level of it.
   */
  readonly maxNestingDepth?: number
}

/**
 * The `safejson` decoder: any JSON value, wrapped the way KrakenD does so that it can be merged
 * with the other backends: an object stays as it is, an array goes under `collection`, anything
 * else (string, number, boolean, null) under `content`.
 *
 * Why `allow` / `deny` run on the assembled value rather than on the token stream as with `json`:
 * KrakenD applies them to the wrapped value (`collection.id`), and which wrapper applies is known
 * only once the first token is seen. The body is still read through the JSON decoder (streamed
 * past its threshold), so the cost is only that dropped fields are built before being dropped.
 */
export function safeJsonDecoder(options: SafeJsonDecoderOptions = {}): DecoderFactory<Record<string, unknown>> {
  const json = jsonDecoder({ threshold: options.threshold, maxNestingDepth: options.maxNestingDepth })
  const trim = compileTrim(options.allow, options.deny)
  return (length) => new SafeJsonDecoder(json(length), trim)
}

/** KrakenD's automatic wrappers: `collection` for an array, `content` for a value that is not an object. */
export function wrapValue(value: unknown): Record<string, unknown> {
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? { collection: value } : (value as Record<string, unknown>)
  return { content: value }
}

class SafeJsonDecoder implements BodyDecoder<Record<string, unknown>> {
  constructor(
    private readonly json: BodyDecoder<unknown>,
    private readonly trim: Trim | undefined,
  ) {}

  write(chunk: Buffer): void {
    this.json.write(chunk)
  }

  end(): Record<string, unknown> {
    const wrapped = wrapValue(this.json.end())
    return this.trim ? (this.trim(wrapped) as Record<string, unknown>) : wrapped
  }
}
