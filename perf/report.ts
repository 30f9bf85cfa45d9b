/**
 * The figures as people read them: the machine, the settings, a table of medians and the ratio,
 * printed to stdout and, after a full run, written to perf/RESULTS.md (by results.ts).
 */
import { cpus, release, totalmem } from 'node:os'
import { fixtures } from './fixtures.js'
import type { Backends } from './backends.js'
import type { Context } from './scenario.js'
import { CONNECTIONS, THREADS, type WrkResult } from './wrk.js'

export interface ContenderFigures {
  readonly name: string
  readonly rounds: readonly WrkResult[]
}

export interface Report {
  readonly date: Date
  readonly command: string
  readonly rounds: number
  readonly seconds: number
  readonly wrk: string
  readonly load: string
  readonly backends: string
  readonly documentBytes: number
  /** rxgate first, then the hand-written baseline. */
  readonly contenders: readonly [ContenderFigures, ContenderFigures]
  /** rxgate's CPU profile under the same load, summed up, when one was taken. */
  readonly profile?: string
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  if (sorted.length === 0) return NaN
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export function machine(): string {
  const cpu = cpus()
  return `${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}, Node ${process.version}`
}

/**
 * The facts a load scenario's section lists: when, where, the command, the load (rounds of what:
 * `contender`, `width`), the backends, and `more` (notes, the errors seen), one line each.
 */
export function loadFacts(context: Context, backends: Backends, per: string, more: readonly string[] = []): string {
  return [
    `- date: ${context.date.toISOString()}`,
    `- machine: ${machine()}`,
    `- command: \`${context.command}\``,
    `- load: ${context.wrk}, -t${THREADS} -c${CONNECTIONS} --latency, ${context.rounds} rounds of ${context.seconds} s per ${per}, alternated round by round, after a 3 s warm-up each`,
    `- backends: ${backends.server}, in their own process`,
    ...more.map((line) => `- ${line}`),
  ].join('\n')
}

/** Median req/s of rxgate over median req/s of the hand-written baseline. */
export function ratio(report: Pick<Report, 'contenders'>): number {
  const [rxgate, hand] = report.contenders
  return median(rxgate.rounds.map((r) => r.requestsPerSecond)) / median(hand.rounds.map((r) => r.requestsPerSecond))
}

/** The table, as Markdown (which also reads well on a terminal). */
export function table(report: Report): string {
  const [rxgate, hand] = report.contenders
  const rps = (c: ContenderFigures) => median(c.rounds.map((r) => r.requestsPerSecond))
  const p99 = (c: ContenderFigures) => median(c.rounds.map((r) => r.p99))
  const row = (c: ContenderFigures) =>
    `| ${c.name} | ${fmt(rps(c), 0)} | ${fmt(p99(c), 2)} ms | ${c.rounds.map((r) => fmt(r.requestsPerSecond, 0)).join(', ')} |`
  return [
    '| contender | req/s (median) | p99 latency (median) | req/s per round |',
    '|---|---:|---:|---|',
    row(rxgate),
    row(hand),
    `| **rxgate / hand-written** | **${fmt(ratio(report), 2)}** | ${fmt(p99(rxgate) / p99(hand), 2)}x | |`,
  ].join('\n')
}

/** Everything said about one run, in the order a reader needs it. */
export function summary(report: Report): string {
  return [
    `date: ${report.date.toISOString()}`,
    `machine: ${machine()}`,
    `load: ${report.wrk}, ${report.load}, ${report.rounds} rounds of ${report.seconds} s per contender, alternated, after a 3 s warm-up each`,
    `backends: ${report.backends}, in their own process (${backendSizes()}); answer document: ${report.documentBytes} bytes`,
    '',
    table(report),
  ].join('\n')
}

export function errorsSeen(report: Report): string[] {
  return report.contenders.flatMap((c) =>
    c.rounds.flatMap((r, i) => (r.errors > 0 ? [`${c.name}, round ${i + 1}: ${r.errors} socket errors or non-2xx answers`] : [])),
  )
}

/** The aggregation's section of perf/RESULTS.md (results.ts writes the file). */
export function aggregationSection(report: Report): string {
  const errors = errorsSeen(report)
  return `## Aggregation of three backends: rxgate against a hand-written aggregator

\`GET /frontpage/1\`: three backends called in parallel (a user object, a cart, a root array of
posts), each trimmed to a few fields, the cart grouped, the posts wrapped, one merged JSON
document back. rxgate runs it as \`fanOut → timeoutEach('800ms') → merge()\` over
\`backend(url, { allow })\` (\`perf/contenders/rxgate.ts\`); the baseline is node:http + one undici
\`Pool\` per backend + \`Promise.all\` + \`JSON.parse\` + fields picked by hand + \`JSON.stringify\`
(\`perf/contenders/hand-written.ts\`), each backend sent the headers rxgate sends every backend
(\`perf/forwarded.ts\`). Both answers are checked deep-equal before timing. Each
contender, the backends and wrk run in separate processes on the same machine, so all of them
share its cores.

- date: ${report.date.toISOString()}
- machine: ${machine()}
- command: \`${report.command}\`
- load: ${report.wrk}, ${report.load}, ${report.rounds} rounds of ${report.seconds} s per contender, alternated round by round, after a 3 s warm-up each
- backends: ${report.backends}, in their own process: ${backendSizes()}
- answer document: ${report.documentBytes} bytes
${errors.length > 0 ? `- errors during the run: ${errors.join('; ')}\n` : ''}
${table(report)}

A ratio below 1 means rxgate serves fewer requests per second than the hand-written code.
${report.profile ? profileSection(report.profile) : ''}`
}

function profileSection(profile: string): string {
  return `
## Where the time goes

After the rounds, each contender again, alone, under \`node --cpu-prof\` and the same load. Self time
per function and per area; the microseconds are CPU time per request served (start-up included, so
a little high). A builtin such as \`JSON.parse\` or \`JSON.stringify\` counts in the function that
calls it; \`writev\` and \`writeLatin1String\` are socket writes, the kernel's loopback work included.

\`\`\`
${profile}
\`\`\`
`
}

/** The fixtures' sizes, as the report states them. */
export function backendSizes(): string {
  const kb = (body: string) => `${(Buffer.byteLength(body) / 1024).toFixed(1)} KB`
  return `a user object of ${kb(fixtures.users.body)}, a cart of ${kb(fixtures.carts.body)}, a root array of posts of ${kb(fixtures.posts.body)}`
}

function fmt(value: number, digits: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}
