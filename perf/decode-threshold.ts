/**
 * Measures where `JSON.parse` stops being the better way to decode a backend body, to pick
 * `JSON_STREAM_THRESHOLD` (lib/codec/json-decoder.ts) from figures rather than a guess.
 *
 * Time table: for each body size, the buffered path (concat the chunks, UTF-8 decode, `JSON.parse`)
 * against the streaming path (stream-json's tokenizer and assembler, driven synchronously as the
 * decoder does), each decoding the whole document and keeping a few fields (`allow`), where
 * streaming prunes before assembly. Bodies arrive in 64 KiB chunks, as from a socket. "longest
 * slice" is the longest single synchronous step (the event loop is blocked that long): the whole
 * `JSON.parse` for the buffered path, one chunk for the streaming one. The last column prunes with
 * stream-json's own `filter` stage and `selects` instead of rxgate's tree-cursor pruner
 * (lib/codec/json-prune.ts), to show why the decoder does not use it.
 *
 * Memory table: the peak RSS growth of a fresh process decoding 8 bodies at once (chunks
 * interleaved, as 8 requests in flight), per body.
 *
 * Run: npx tsc -p . --outDir /tmp/rxgate-perf && node --expose-gc /tmp/rxgate-perf/perf/decode-threshold.js
 * (or TS_NODE_TRANSPILE_ONLY=1 node --expose-gc --import @tapjs/typescript/import perf/decode-threshold.ts)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { StringDecoder } from 'node:string_decoder'
import Assembler from 'stream-json/core/assembler.js'
import filter from 'stream-json/core/filters/filter.js'
import { jsonParser } from 'stream-json/core/parser.js'
import type { DecoderFactory } from '../lib/codec/decoder.js'
import { jsonDecoder } from '../lib/codec/json-decoder.js'
import { fieldTree, pickFields, selects } from '../operators/fields.js'
import { CHUNK, CONCURRENT, chunksOf, format, label, longestStep, median, peakRss, print, probePeakRss } from './chunked-bodies.js'
import { apiPage } from './fixtures.js'

const SIZES = [256, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216]
const MEMORY_SIZES = [262_144, 1_048_576, 4_194_304, 16_777_216]
const ALLOW = ['items.id', 'items.name', 'total']

const gc = (globalThis as { gc?: () => void }).gc
const NONE = Symbol.for('object-stream.none')
const MANY = Symbol.for('object-stream.many')

const parseWhole = jsonDecoder({ threshold: Number.POSITIVE_INFINITY })
const streamWhole = jsonDecoder({ threshold: -1 })
const parsePick = jsonDecoder({ threshold: Number.POSITIVE_INFINITY, allow: ALLOW })
const streamPick = jsonDecoder({ threshold: -1, allow: ALLOW })
const MODES: Record<string, DecoderFactory> = { parseWhole, streamWhole, parsePick, streamPick }

/** The alternative: stream-json's `filter` with a `selects` path test, then `pickFields`. */
const filterPick: DecoderFactory = () => {
  const tree = fieldTree(ALLOW)
  const text = new StringDecoder('utf8')
  const tokenize = jsonParser({ streamValues: false }) as unknown as (input: unknown) => unknown
  const keep = filter({ filter: (stack) => selects(tree, stack) }) as unknown as (input: unknown) => unknown
  const assembler = new Assembler()
  const each = (output: unknown, sink: (token: never) => void) => {
    if (output === NONE || output === undefined) return
    if ((output as { [MANY]?: number })[MANY] === 1) for (const token of (output as { values: never[] }).values) sink(token)
    else sink(output as never)
  }
  const assemble = (token: never) => assembler.consume(token)
  const pick = (token: never) => each(keep(token), assemble)
  return {
    write: (chunk) => each(tokenize(text.write(chunk)), pick),
    end: () => {
      each(tokenize(NONE), pick)
      each(keep(NONE), assemble)
      return pickFields(assembler.current, tree)
    },
  }
}

if (process.argv[2] === '--child') probePeakRss(() => MODES[process.argv[3]!]!(undefined), process.argv[4]!)
else {
  timeTable()
  memoryTable()
}

/** Median microseconds per decode and median longest slice, over at least `budgetMs` (and 5 runs). */
function measure(factory: DecoderFactory, chunks: Buffer[], budgetMs: number): { time: number; slice: number } {
  gc?.()
  for (let i = 0; i < 3; i++) longestStep(factory(undefined), chunks)
  const times: number[] = []
  const slices: number[] = []
  const started = performance.now()
  while (times.length < 5 || (performance.now() - started < budgetMs && times.length < 20_000)) {
    const t0 = performance.now()
    slices.push(longestStep(factory(undefined), chunks))
    times.push(performance.now() - t0)
  }
  return { time: median(times) * 1000, slice: median(slices) * 1000 }
}

function timeTable(): void {
  const rows: string[][] = [
    ['body', 'JSON.parse', 'stream-json', 'ratio', 'parse+allow', 'stream+allow', 'ratio', 'longest slice', 'sj filter+allow'],
  ]
  for (const size of SIZES) {
    const chunks = chunksOf(apiPage(size))
    const budget = size >= 4_194_304 ? 3000 : 600
    const a = measure(parseWhole, chunks, budget)
    const b = measure(streamWhole, chunks, budget)
    const c = measure(parsePick, chunks, budget)
    const d = measure(streamPick, chunks, budget)
    const e = measure(filterPick, chunks, budget)
    rows.push([
      label(size),
      format(a.time),
      format(b.time),
      `${(b.time / a.time).toFixed(1)}x`,
      format(c.time),
      format(d.time),
      `${(d.time / c.time).toFixed(1)}x`,
      `${format(c.slice)} / ${format(d.slice)}`,
      format(e.time),
    ])
  }
  print(`median time per body (Node ${process.version}, ${CHUNK / 1024} KiB chunks, allow = ${ALLOW.join(', ')})`, rows)
}

function memoryTable(): void {
  const dir = mkdtempSync(join(tmpdir(), 'rxgate-decode-'))
  const rows = [['body', 'JSON.parse', 'stream-json', 'parse+allow', 'stream+allow']]
  try {
    for (const size of MEMORY_SIZES) {
      const file = join(dir, `${size}.json`)
      writeFileSync(file, apiPage(size))
      rows.push([label(size), ...Object.keys(MODES).map((mode) => peakRss(mode, file))])
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  print(`peak RSS growth per body, ${CONCURRENT} bodies of unknown length decoded at once (fresh process each)`, rows)
}

