// @ts-expect-error: the parser ships no types; its shape is declared below
import parsePrometheusTextFormat from 'parse-prometheus-text-format'

/** One metric family as the parser reads Prometheus's text format. */
export interface MetricFamily {
  readonly name: string
  readonly type: string
  readonly metrics: readonly {
    readonly labels?: Readonly<Record<string, string>>
    readonly value?: string
    readonly buckets?: Readonly<Record<string, string>>
    readonly count?: string
    readonly sum?: string
  }[]
}

/**
 * Scrapes a Prometheus endpoint and parses what it serves. The parser folds every label set of a
 * histogram into one (it follows an early Python client's parser), so histograms are read as
 * Prometheus stores them: their `_count`, `_sum` and `_bucket` samples, each a series of its own.
 */
export async function scrape(url: string): Promise<MetricFamily[]> {
  const response = await fetch(url)
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`)
  const text = (await response.text()).replace(/^# TYPE \S+ histogram\n/gm, '')
  const parsed = (parsePrometheusTextFormat as (text: string) => MetricFamily[])(text)
  // untyped samples of one name may come as several families: one each
  const byName = new Map<string, MetricFamily>()
  for (const family of parsed) {
    const seen = byName.get(family.name)
    byName.set(family.name, seen ? { ...seen, metrics: [...seen.metrics, ...family.metrics] } : family)
  }
  return [...byName.values()]
}

/** The series of a family (a histogram's: `name_count`, `name_bucket`, ...) whose labels include `labels`. */
export function series(families: readonly MetricFamily[], name: string, labels: Readonly<Record<string, string>> = {}) {
  const family = families.find((candidate) => candidate.name === name)
  return (family?.metrics ?? []).filter((metric) => Object.entries(labels).every(([key, value]) => metric.labels?.[key] === value))
}

/** The sum of a counter's values (or a histogram's counts, given `name_count`) over the series that match. */
export function total(families: readonly MetricFamily[], name: string, labels: Readonly<Record<string, string>> = {}): number {
  return series(families, name, labels).reduce((sum, metric) => sum + Number(metric.value ?? 0), 0)
}
