/**
 * Markdown tables shared by the load scenarios: medians per contender, then the ratios asked for.
 */
import { median, type ContenderFigures } from './report.js'

export const rps = (c: ContenderFigures): number => median(c.rounds.map((r) => r.requestsPerSecond))
export const p99 = (c: ContenderFigures): number => median(c.rounds.map((r) => r.p99))

export function fmt(value: number, digits: number): string {
  if (!Number.isFinite(value)) return 'n/a'
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

/** A ratio row: `numerator / denominator` on req/s (higher is better) and on p99 (lower is better). */
export interface Ratio {
  readonly label: string
  readonly numerator: string
  readonly denominator: string
}

export function loadTable(figures: readonly ContenderFigures[], ratios: readonly Ratio[] = []): string {
  const byName = new Map(figures.map((f) => [f.name, f]))
  const rows = figures.map((c) => `| ${c.name} | ${fmt(rps(c), 0)} | ${fmt(p99(c), 2)} ms | ${c.rounds.map((r) => fmt(r.requestsPerSecond, 0)).join(', ')} |`)
  const ratioRows = ratios.flatMap((r) => {
    const a = byName.get(r.numerator)
    const b = byName.get(r.denominator)
    if (!a || !b) return []
    return [`| **${r.label}** | **${fmt(rps(a) / rps(b), 2)}** | ${fmt(p99(a) / p99(b), 2)}x | |`]
  })
  return [
    '| contender | req/s (median) | p99 latency (median) | req/s per round |',
    '|---|---:|---:|---|',
    ...rows,
    ...ratioRows,
  ].join('\n')
}

/** Errors wrk saw, one line per round that had any. */
export function roundErrors(figures: readonly ContenderFigures[]): string[] {
  return figures.flatMap((c) =>
    c.rounds.flatMap((r, i) => (r.errors > 0 ? [`${c.name}, round ${i + 1}: ${r.errors} socket errors or non-2xx answers`] : [])),
  )
}
