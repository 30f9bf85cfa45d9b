/**
 * What the benchmarks that feed JSON bodies chunk by chunk share (decode-threshold.ts,
 * pass-threshold.ts, nesting-check.ts): the bodies cut as a socket delivers them, the longest
 * synchronous step of one body, peak RSS measured in a fresh process, and their tables.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

/** The chunk size the bodies are fed in, as a socket read gives them. */
export const CHUNK = 64 * 1024
/** How many bodies of one size a memory probe handles at once, as that many requests in flight. */
export const CONCURRENT = 8

/** One body's reader: a decoder, a checker, anything that takes the chunks and then the end. */
export interface ChunkSink {
  write(chunk: Buffer): void
  end(): unknown
}

export function chunksOf(body: Buffer): Buffer[] {
  const out: Buffer[] = []
  for (let at = 0; at < body.length; at += CHUNK) out.push(body.subarray(at, at + CHUNK))
  return out
}

/** Feeds one body to `sink`; returns its longest single synchronous step, in milliseconds. */
export function longestStep(sink: ChunkSink, chunks: readonly Buffer[]): number {
  let longest = 0
  for (const chunk of chunks) {
    const t0 = performance.now()
    sink.write(chunk)
    longest = Math.max(longest, performance.now() - t0)
  }
  const t0 = performance.now()
  sink.end()
  return Math.max(longest, performance.now() - t0)
}

/** The upper middle value (sorts `values` in place). */
export function median(values: number[]): number {
  values.sort((a, b) => a - b)
  return values[values.length >> 1]!
}

/**
 * Peak RSS growth per body of `mode` over `file`, measured by this script run again in a fresh
 * process (`--child mode file`, answered by {@link probePeakRss}); 'failed' when it fails.
 */
export function peakRss(mode: string, file: string): string {
  const args = [...process.execArgv, process.argv[1]!, '--child', mode, file]
  const run = spawnSync(process.execPath, args, { encoding: 'utf8' })
  if (run.status !== 0) return 'failed'
  const { grew } = JSON.parse(run.stdout) as { grew: number }
  return `+${grew.toFixed(1)} MiB`
}

/**
 * The child's side of {@link peakRss}: {@link CONCURRENT} copies of the body in `file` at once,
 * chunks interleaved as when that many requests are in flight, each chunk a fresh buffer as from
 * a socket; prints the peak RSS growth per body.
 */
export function probePeakRss(start: () => ChunkSink, file: string): void {
  const chunks = chunksOf(readFileSync(file))
  ;(globalThis as { gc?: () => void }).gc?.()
  const before = process.resourceUsage().maxRSS
  const sinks = Array.from({ length: CONCURRENT }, start)
  for (const chunk of chunks) for (const sink of sinks) sink.write(Buffer.from(chunk))
  const kept = sinks.map((sink) => sink.end())
  const after = process.resourceUsage().maxRSS
  process.stdout.write(JSON.stringify({ grew: (after - before) / 1024 / CONCURRENT, kept: kept.length }))
}

export function format(us: number): string {
  if (us < 1000) return `${us.toFixed(1)} us`
  if (us < 1_000_000) return `${(us / 1000).toFixed(2)} ms`
  return `${(us / 1_000_000).toFixed(2)} s`
}

export function label(bytes: number): string {
  if (bytes >= 1_048_576) return `${bytes / 1_048_576} MiB`
  if (bytes >= 1024) return `${bytes / 1024} KiB`
  return `${bytes} B`
}

export function print(title: string, rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)))
  const out = rows.map((row) => row.map((cell, i) => cell.padStart(widths[i]!)).join('  ')).join('\n')
  process.stdout.write(`${title}\n${out}\n\n`)
}
