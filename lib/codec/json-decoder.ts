import { fieldTree, type FieldTree } from '../../operators/fields.js'
import { rememberSource } from './json-source.js'
import { compileTrim } from './trim.js'
import type { BodyDecoder, DecoderFactory } from './decoder.js'
import { canNestDeeperThan, checkNesting, DEFAULT_MAX_NESTING_DEPTH } from './depth.js'
import { tokenPipeline, type TokenPipeline } from './json-tokens.js'
import { withoutBom } from './json-check.js'

/**
 * Bodies up to this many bytes are buffered and parsed with `JSON.parse`; larger ones, or ones of
 * unknown length that grow past it, go through the streaming parser. From perf/decode-threshold.ts
 * (Node 20, this machine; an API-like page of records, 64 KiB chunks, allow = 3 fields):
 *
 *                                                           parse+allow / stream+allow:
 *   body      JSON.parse  stream   parse+allow  stream+allow  longest blocking step   RSS per body, 8 at once
 *   16 KiB      60 us     146 us      66 us        118 us      65 us / 112 us          -
 *   256 KiB    1.0 ms     2.3 ms     1.1 ms       1.9 ms      1.1 ms / 0.5 ms         +0.4 / +3.2 MiB
 *   1 MiB      4.5 ms    12.8 ms     4.8 ms       8.0 ms      4.8 ms / 1.3 ms         +1.6 / +7.1 MiB
 *   4 MiB       20 ms      52 ms      24 ms        34 ms       24 ms / 1.7 ms         +12.8 / +11.9 MiB
 *   16 MiB      99 ms     241 ms     117 ms       137 ms      117 ms / 8.6 ms         +55 / +25 MiB
 *
 * Streaming never wins on CPU (1.6-2.9x up to 1 MiB, 1.2x at 16 MiB with allow), so small bodies
 * are parsed. Past 1 MiB, `JSON.parse` blocks the event loop for one step of 5 ms and more (24 ms
 * at 4 MiB, every other request waits), and its memory per body catches up with streaming's at
 * 4 MiB and doubles it at 16 MiB; streaming works chunk by chunk and keeps only what it selects.
 */
export const JSON_STREAM_THRESHOLD = 1024 * 1024

export interface JsonDecoderOptions {
  /** Dot paths to keep (`pick`); everything else is dropped, in the stream already when streaming. */
  readonly allow?: readonly string[]
  /** Dot paths to remove (`omit`), applied after `allow`. */
  readonly deny?: readonly string[]
  /** Remember the bytes of a body parsed whole (not pruned, not streamed): see `rememberSource`. */
  readonly keepSource?: boolean
  /** Overrides {@link JSON_STREAM_THRESHOLD} (tests, benchmarks). */
  readonly threshold?: number
  /**
   * Documents nested deeper than this many levels fail with a `NestingTooDeepError` (see
   * depth.ts): on the streaming path as soon as the tokens pass it. Default 10,000.
   */
  readonly maxNestingDepth?: number
}

/**
 * The `json` decoder. Small or bounded bodies: buffer, `JSON.parse`, then pick / omit. Large ones:
 * `stream-json` with token-level pruning, so dropped fields are never assembled and memory stays
 * flat. A body of unknown length is buffered up to the threshold and parsed whole if it ends
 * there; otherwise the buffered chunks are fed to the streaming parser first and the rest follows
 * as it arrives. Both paths give the same value for the same body.
 */
export function jsonDecoder(options: JsonDecoderOptions = {}): DecoderFactory<unknown> {
  const threshold = options.threshold ?? JSON_STREAM_THRESHOLD
  const allow = options.allow?.length ? fieldTree(options.allow) : undefined
  const deny = options.deny?.length ? fieldTree(options.deny) : undefined
  const trim = compileTrim(options.allow, options.deny)
  const parsed: (value: unknown, bytes: Buffer) => unknown = trim ?? (options.keepSource ? keepingSource : (value) => value)
  // The pruned stream is already exact; picking again (cheap: what is left is small) restores the
  // tree's key order, which `pickFields` gives on the parsed path. An omit-only stream is left as is.
  const streamed = allow && trim ? trim : (value: unknown) => value
  const limit = options.maxNestingDepth ?? DEFAULT_MAX_NESTING_DEPTH
  return (length) =>
    new HybridDecoder(threshold, length !== undefined && length > threshold, parsed, streamed, allow, deny, limit)
}

class HybridDecoder implements BodyDecoder<unknown> {
  private chunks: Buffer[] = []
  private size = 0
  private stream: TokenPipeline | undefined

  constructor(
    private readonly threshold: number,
    streamNow: boolean,
    private readonly parsed: (value: unknown, bytes: Buffer) => unknown,
    private readonly streamed: (value: unknown) => unknown,
    private readonly allow: FieldTree | undefined,
    private readonly deny: FieldTree | undefined,
    private readonly maxNestingDepth: number,
  ) {
    if (streamNow) this.stream = tokenPipeline(allow, deny, maxNestingDepth)
  }

  write(chunk: Buffer): void {
    if (this.stream) return this.stream.write(chunk)
    this.chunks.push(chunk)
    this.size += chunk.length
    if (this.size > this.threshold) {
      const stream = tokenPipeline(this.allow, this.deny, this.maxNestingDepth)
      this.stream = stream
      for (const buffered of this.chunks) stream.write(buffered)
      this.chunks = []
    }
  }

  end(): unknown {
    if (this.stream) return this.streamed(this.stream.end())
    const bytes = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size)
    this.chunks = []
    const json = withoutBom(bytes)
    const value: unknown = JSON.parse(json.toString('utf8'))
    checkParsedNesting(value, json.length, this.maxNestingDepth)
    return this.parsed(value, json)
  }
}

/**
 * The nesting limit on the parsed path. `JSON.parse` itself takes any depth (it does not recurse),
 * so the check comes after it: nothing at all for a body shorter than two bytes per level allowed
 * (20,002 bytes by default: most API bodies), else a walk of the parsed value, level by level.
 * From perf/nesting-check.ts (Node 20, this machine; API-like bodies, limit 10,000; medians):
 *
 *   body       JSON.parse   the check here    walk of the value   byte scan (not used)
 *   2.3 KB       8.3 us     one comparison     0.5 us (6%)          2.1 us (25%)
 *   64 KiB       366 us        21 us (6%)        21 us (6%)           74 us (20%)
 *   1 MiB       6.7-11 ms     0.4 ms (4-6%)     0.3-0.4 ms (3-5%)    1.1-1.3 ms (12-17%)
 *
 * The walk (no allocation per object: `for...in`) costs a third of a scan of the bytes for
 * brackets outside strings, the other way to do it. The streaming path counts container tokens
 * instead (json-tokens.ts): 2.5 to 6.6% of the streamed decode.
 */
function checkParsedNesting(value: unknown, bytes: number, limit: number): void {
  if (canNestDeeperThan(bytes, limit)) checkNesting(value, limit)
}

function keepingSource(value: unknown, bytes: Buffer): unknown {
  rememberSource(value, bytes)
  return value
}
