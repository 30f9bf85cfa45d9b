/**
 * Measures where checking a document as it streams starts to beat the buffered path, for an
 * endpoint that passes its one backend's document whole, to pick `PASS_STREAM_THRESHOLD`
 * (lib/codec/json-check.ts) from figures rather than a guess.
 *
 * Time table: for each body size, the CPU time of the buffered path as the `json` decoder runs it
 * for such an endpoint (the chunks concatenated, UTF-8 decoded, `JSON.parse`d, the nesting limit
 * checked, the bytes kept to be sent) against `jsonChecker` over the same chunks (the grammar on
 * the bytes, nothing built), and against the other way to check as it streams: stream-json's
 * tokenizer with a container count (the text decoded, one token per value, dropped at once).
 * Bodies arrive in 64 KiB chunks, as from a socket. "longest step" is the longest single
 * synchronous step (the event loop is blocked that long): the whole parse for the buffered path,
 * one chunk for the checker.
 *
 * Memory table: the peak RSS growth of a fresh process handling 8 bodies at once (chunks
 * interleaved, as 8 requests in flight), per body; the buffered path keeps each body's bytes and
 * parsed value until all have ended, as requests in flight do.
 *
 * Gateway table: the same document sizes served by the bench's backends (nginx), through a
 * gateway in this process whose two routes pass the document whole, one as today (buffered, or
 * past the decoder's 1 MiB streamed and written again), one checked as it streams; wrk (50
 * connections) on each in turn, rounds alternated; the gateway's CPU time per request
 * (`process.cpuUsage` over the round: robust on a shared machine) and the requests per second.
 *
 * Run: npm run build && node --expose-gc dist/perf/pass-threshold.js [--gateway-only]
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { StringDecoder } from 'node:string_decoder'
import { jsonParser } from 'stream-json/core/parser.js'
import { DEFAULT_MAX_NESTING_DEPTH } from '../lib/codec/depth.js'
import { jsonChecker } from '../lib/codec/json-check.js'
import type { JsonToken } from '../lib/codec/json-prune.js'
import { countNesting } from '../lib/codec/json-tokens.js'
import { JSON_STREAM_THRESHOLD, jsonDecoder } from '../lib/codec/json-decoder.js'
import { sourceOf } from '../lib/codec/json-source.js'
import { pipe } from 'rxjs'
import { backend, gateway } from '../lib/index.js'
import { renderFor } from '../lib/codec/render.js'
import { fanOut, merge, timeoutEach } from '../operators/index.js'
import { startBackends } from './backends.js'
import { CHUNK, CONCURRENT, chunksOf, format, label, longestStep, median, peakRss, print, probePeakRss, type ChunkSink } from './chunked-bodies.js'
import { apiPage } from './fixtures.js'
import { stopAll } from './processes.js'
import { ensureWrk, wrk } from './wrk.js'

const SIZES = [4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216]
const MEMORY_SIZES = [262_144, 1_048_576, 4_194_304, 16_777_216]

const gc = (globalThis as { gc?: () => void }).gc
const buffered = jsonDecoder({ threshold: Number.POSITIVE_INFINITY, keepSource: true })

/** One body through one path, chunk by chunk: what it keeps, and its longest synchronous step. */
interface Path {
  start(): ChunkSink
}

const PATHS: Record<string, Path> = {
  buffered: {
    start() {
      const decoder = buffered(undefined)
      return { write: (chunk) => decoder.write(chunk), end: () => sourceOf(decoder.end()) }
    },
  },
  checked: {
    start() {
      const checker = jsonChecker()
      return { write: (chunk) => checker.write(chunk), end: () => checker.end() }
    },
  },
  tokenizer: {
    start() {
      const text = new StringDecoder('utf8')
      const tokenize = jsonParser({ streamValues: false }) as unknown as (input: unknown) => unknown
      const count = countNesting(DEFAULT_MAX_NESTING_DEPTH, () => {})
      const each = (output: unknown) => {
        if (output === NONE || output === undefined) return
        if ((output as { [MANY]?: number })[MANY] === 1) for (const token of (output as { values: JsonToken[] }).values) count(token)
        else count(output as JsonToken)
      }
      return { write: (chunk) => each(tokenize(text.write(chunk))), end: () => each(tokenize(NONE)) }
    },
  },
}

const NONE = Symbol.for('object-stream.none')
const MANY = Symbol.for('object-stream.many')

const GATEWAY_SIZES = [16_384, 65_536, 131_072, 262_144, 786_432, 1_048_576]
const GATEWAY_ROUNDS = 5
const GATEWAY_SECONDS = 3

if (process.argv[2] === '--child') probePeakRss(() => PATHS[process.argv[3]!]!.start(), process.argv[4]!)
else {
  if (process.argv[2] !== '--gateway-only') {
    timeTable()
    memoryTable()
  }
  try {
    await gatewayTable()
  } catch (error) {
    // said here: the gateway's process guard would take an escaping error for a request's
    console.error(error)
    process.exitCode = 1
  } finally {
    await stopAll()
  }
  process.exit()
}

/**
 * Median CPU microseconds per body (user + system, `process.cpuUsage`, over batches of at least
 * 20 ms: on a shared machine CPU time is what wall time would be without the others) and median
 * longest step (wall time: what blocks the event loop), over at least `budgetMs` (and 5 batches).
 */
function measure(path: Path, chunks: Buffer[], budgetMs: number): { time: number; step: number } {
  gc?.()
  for (let i = 0; i < 3; i++) longestStep(path.start(), chunks)
  const t0 = performance.now()
  longestStep(path.start(), chunks)
  const perBatch = Math.max(1, Math.ceil(20 / Math.max(performance.now() - t0, 0.001)))
  const times: number[] = []
  const steps: number[] = []
  const started = performance.now()
  while (times.length < 5 || (performance.now() - started < budgetMs && times.length < 2000)) {
    const cpu = process.cpuUsage()
    let step = 0
    for (let i = 0; i < perBatch; i++) step = Math.max(step, longestStep(path.start(), chunks))
    const used = process.cpuUsage(cpu)
    times.push((used.user + used.system) / perBatch)
    steps.push(step)
  }
  return { time: median(times), step: median(steps) * 1000 }
}

function timeTable(): void {
  const rows: string[][] = [['body', 'buffer + JSON.parse', 'checked as it streams', 'ratio', 'stream-json tokenizer', 'ratio', 'longest step (wall)']]
  for (const size of SIZES) {
    const chunks = chunksOf(apiPage(size))
    const budget = size >= 4_194_304 ? 4000 : 2000
    // alternated, twice each, so that drift falls on all; the better of the two
    const better = (a: { time: number; step: number }, b: { time: number; step: number }) => ({ time: Math.min(a.time, b.time), step: Math.min(a.step, b.step) })
    const runs = (name: string) => measure(PATHS[name]!, chunks, budget / 2)
    const first = { buffered: runs('buffered'), checked: runs('checked'), tokenizer: runs('tokenizer') }
    const a = better(first.buffered, runs('buffered'))
    const b = better(first.checked, runs('checked'))
    const c = better(first.tokenizer, runs('tokenizer'))
    rows.push([label(size), format(a.time), format(b.time), `${(b.time / a.time).toFixed(2)}x`, format(c.time), `${(c.time / a.time).toFixed(2)}x`, `${format(a.step)} / ${format(b.step)}`])
  }
  print(`median CPU time per body, the better of two alternated runs (Node ${process.version}, ${CHUNK / 1024} KiB chunks)`, rows)
}

function memoryTable(): void {
  const dir = mkdtempSync(join(tmpdir(), 'rxgate-pass-'))
  const rows = [['body', 'buffer + JSON.parse', 'checked as it streams']]
  try {
    for (const size of MEMORY_SIZES) {
      const file = join(dir, `${size}.json`)
      writeFileSync(file, apiPage(size))
      rows.push([label(size), peakRss('buffered', file), peakRss('checked', file)])
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  print(`peak RSS growth per body, ${CONCURRENT} bodies of unknown length at once (fresh process each)`, rows)
}

async function gatewayTable(): Promise<void> {
  ensureWrk()
  const dir = mkdtempSync(join(tmpdir(), 'rxgate-pass-gw-'))
  // nginx's workers run as nobody: they must be able to read the documents
  chmodSync(dir, 0o755)
  const files: Record<string, string> = {}
  for (const size of GATEWAY_SIZES) {
    files[`/doc-${size}.json`] = join(dir, `${size}.json`)
    writeFileSync(files[`/doc-${size}.json`]!, apiPage(size), { mode: 0o644 })
  }
  const backends = await startBackends({ files })
  const render = renderFor('json', { verbatim: true })
  const gw = gateway({ accessLog: false, logger: { level: 'silent' } })
  for (const size of GATEWAY_SIZES) {
    const url = `${backends.urls.users}/doc-${size}.json`
    const route = (options: object) => pipe(fanOut({ doc: backend(url, { verbatim: true, ...options }) }), timeoutEach('10s'), merge())
    gw.get(`/buffered/${size}`, route({}), { render, timeout: '20s' })
    gw.get(`/streamed/${size}`, route({ streamVerbatimAbove: 4096 }), { render, timeout: '20s' })
  }
  const { port } = await gw.listen(0, '127.0.0.1')
  for (const size of GATEWAY_SIZES) {
    for (const way of ['buffered', 'streamed']) {
      const res = await fetch(`http://127.0.0.1:${port}/${way}/${size}`, { signal: AbortSignal.timeout(10_000) })
      const text = await res.text()
      if (res.status !== 200 || Buffer.byteLength(text) !== apiPage(size).length) throw new Error(`${way} ${label(size)} answered ${res.status}: ${text.slice(0, 200)}`)
    }
  }
  const rows = [['body', 'today', 'today: CPU per request', 'checked as it streams', 'ratio', 'today: req/s', 'checked: req/s']]
  try {
    for (const size of GATEWAY_SIZES) {
      const cpu: Record<string, number[]> = { buffered: [], streamed: [] }
      const rps: Record<string, number[]> = { buffered: [], streamed: [] }
      for (let round = 0; round < GATEWAY_ROUNDS; round++) {
        for (const way of ['buffered', 'streamed']) {
          const before = process.cpuUsage()
          const result = await wrk(`http://127.0.0.1:${port}/${way}/${size}`, GATEWAY_SECONDS)
          const used = process.cpuUsage(before)
          // wrk's errors here are its 2 s timeouts under load: the CPU time is per request answered
          console.log(`${way} ${label(size)}: ${result.requestsPerSecond.toFixed(0)} req/s, ${((used.user + used.system) / result.requests).toFixed(0)} us CPU per request, ${result.errors} errors`)
          cpu[way]!.push((used.user + used.system) / result.requests)
          rps[way]!.push(result.requestsPerSecond)
        }
      }
      const a = median(cpu.buffered!)
      const b = median(cpu.streamed!)
      const today = apiPage(size).length > JSON_STREAM_THRESHOLD ? 'streamed, written again' : 'buffered'
      rows.push([label(size), today, format(a), format(b), `${(b / a).toFixed(2)}x`, median(rps.buffered!).toFixed(0), median(rps.streamed!).toFixed(0)])
    }
  } finally {
    await gw.close()
    await backends.stop()
    rmSync(dir, { recursive: true, force: true })
  }
  print(`through a gateway (${backends.server}, wrk 50 connections, ${GATEWAY_ROUNDS} alternated rounds of ${GATEWAY_SECONDS} s, medians)`, rows)
}

