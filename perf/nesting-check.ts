/**
 * Measures what the nesting limit (lib/codec/depth.ts) costs the `json` decoder, to choose how it
 * is checked from figures rather than a guess, and to quote them next to the check
 * (lib/codec/json-decoder.ts).
 *
 * Parsed path, for API-like bodies of 2.3 KB (the aggregation's user document), 64 KiB and 1 MiB
 * (a page of records, the shape perf/decode-threshold.ts uses): `JSON.parse` of the body's text as
 * the decoder does it, then each way of checking the depth, on the value just parsed:
 * - "as decoded": what the decoder runs: nothing below 2 x (10,000 + 1) bytes, else the walk;
 * - "walk": `checkNesting`, a level-by-level walk of the parsed value, whatever the size;
 * - "byte scan": a loop over the bytes counting brackets outside strings (the alternative, not used).
 * Streaming path: the token counter (`countNesting`) over the body's tokens, against the
 * streaming decode of the same body. Each figure is the median of single calls over 2 s.
 *
 * Run: npm run build && node dist/perf/nesting-check.js
 */
import { performance } from 'node:perf_hooks'
import { jsonParser } from 'stream-json/core/parser.js'
import { canNestDeeperThan, checkNesting, DEFAULT_MAX_NESTING_DEPTH } from '../lib/codec/depth.js'
import { jsonDecoder } from '../lib/codec/json-decoder.js'
import type { JsonToken } from '../lib/codec/json-prune.js'
import { countNesting } from '../lib/codec/json-tokens.js'
import { median } from './chunked-bodies.js'
import { apiPage, fixtures } from './fixtures.js'

const LIMIT = DEFAULT_MAX_NESTING_DEPTH
const BUDGET_MS = 2000

/** The alternative to the walk: brackets counted in the bytes, skipping strings (escapes minded). */
const KIND = new Uint8Array(256)
KIND[0x22] = 1
KIND[0x5b] = 2
KIND[0x7b] = 2
KIND[0x5d] = 3
KIND[0x7d] = 3
function scanBytes(bytes: Uint8Array, limit: number): boolean {
  let depth = 0
  const n = bytes.length
  for (let i = 0; i < n; i++) {
    const kind = KIND[bytes[i]!]
    if (kind === 0) continue
    if (kind === 1) {
      for (i++; i < n; i++) {
        const c = bytes[i]
        if (c === 0x22) break
        if (c === 0x5c) i++
      }
    } else if (kind === 2) {
      if (++depth > limit) return true
    } else depth--
  }
  return false
}

/** Microseconds `f` takes, one call. */
function timed(f: () => unknown): number {
  const t0 = performance.now()
  f()
  return (performance.now() - t0) * 1000
}

/**
 * Median microseconds of the parse and of each check, over about BUDGET_MS: every iteration
 * parses the body, then runs each check on the value just parsed (still in the caches, as in the
 * decoder), each call timed alone, so that all of them meet the same machine at the same moment.
 */
function timeChecks(parse: () => unknown, checks: readonly ((value: unknown) => unknown)[]): [number, ...number[]] {
  const parses: number[] = []
  const runs: number[][] = checks.map(() => [])
  const started = performance.now()
  for (let i = 0; i < 20 || (performance.now() - started < BUDGET_MS && i < 100_000); i++) {
    let value: unknown
    parses.push(timed(() => (value = parse())))
    checks.forEach((check, c) => runs[c]!.push(timed(() => check(value))))
  }
  return [median(parses), ...runs.map(median)]
}

/** Median microseconds of one call of `f`, over about BUDGET_MS. */
function time(f: () => unknown): number {
  const runs: number[] = []
  const started = performance.now()
  for (let i = 0; i < 20 || (performance.now() - started < BUDGET_MS && i < 100_000); i++) runs.push(timed(f))
  return median(runs)
}

function tokensOf(body: Buffer): JsonToken[] {
  const tokens: JsonToken[] = []
  const tokenize = jsonParser({ streamValues: false }) as unknown as (input: unknown) => unknown
  const take = (output: unknown) => {
    if (output === undefined || typeof output === 'symbol') return
    const many = output as { values?: JsonToken[] }
    if (Array.isArray(many.values)) for (const token of many.values) tokens.push(token)
    else tokens.push(output as JsonToken)
  }
  take(tokenize(body.toString('utf8')))
  take(tokenize(Symbol.for('object-stream.none')))
  return tokens
}

function us(value: number): string {
  return value < 1000 ? `${value.toFixed(value < 10 ? 2 : 1)} us` : `${(value / 1000).toFixed(2)} ms`
}

function pct(value: number, of: number): string {
  return `${((value / of) * 100).toFixed(1)}%`
}

const bodies: [string, Buffer][] = [
  ['2.3 KB', Buffer.from(fixtures.users.body)],
  ['64 KiB', apiPage(64 * 1024)],
  ['1 MiB', apiPage(1024 * 1024)],
]

const rows = [['body', 'JSON.parse', 'as decoded', 'walk', 'byte scan', 'stream decode', 'token counter']]
for (const [label, body] of bodies) {
  const stream = jsonDecoder({ threshold: -1 })
  const tokens = tokensOf(body)
  const parse = () => JSON.parse(body.toString('utf8')) as unknown
  // Warm-up, so that every function is optimized before it is timed.
  for (let i = 0; i < 200; i++) checkNesting(parse(), LIMIT), scanBytes(body, LIMIT)
  const [parsed, decoded, walk, scan] = timeChecks(parse, [
    (value) => canNestDeeperThan(body.length, LIMIT) && checkNesting(value, LIMIT),
    (value) => checkNesting(value, LIMIT),
    () => scanBytes(body, LIMIT),
  ]) as [number, number, number, number]
  const streamed = time(() => {
    const decoder = stream(body.length)
    decoder.write(body)
    return decoder.end()
  })
  const counted = time(() => {
    const count = countNesting(LIMIT, () => {})
    for (const token of tokens) count(token)
  })
  rows.push([
    `${label} (${body.length} B)`,
    us(parsed),
    `${us(decoded)} (${pct(decoded, parsed)})`,
    `${us(walk)} (${pct(walk, parsed)})`,
    `${us(scan)} (${pct(scan, parsed)})`,
    us(streamed),
    `${us(counted)} (${pct(counted, streamed)})`,
  ])
}

const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)))
console.log(`nesting check, limit ${LIMIT}, median per body (Node ${process.version}); percentages of JSON.parse, the counter's of the stream decode`)
console.log(rows.map((row) => row.map((cell, i) => cell.padStart(widths[i]!)).join('  ')).join('\n'))
