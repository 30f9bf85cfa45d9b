/**
 * perf/RESULTS.md, one section per scenario between markers, so that a run of some scenarios
 * (BENCH_SCENARIOS) replaces their sections and keeps the others' latest figures. A hand-written
 * reading of the figures against the targets, between its own markers, is kept as it is.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { SCENARIOS, type ScenarioName } from './settings.js'

const HEADER = `# Benchmark results

Written by \`perf/run.ts\` (\`npm run bench\`) at the end of its latest full run (5 rounds of 5 s or
more); shorter runs print their figures without touching this file. Each scenario's section is
replaced when that scenario runs (\`BENCH_SCENARIOS\`) and kept otherwise, so each one carries its
own date and command. Do not edit the figures by hand; the reading against the targets, between
its markers, is written by hand and kept by every run.
`

const begin = (name: string) => `<!-- scenario:${name} -->`
const end = (name: string) => `<!-- /scenario:${name} -->`
const READING = ['<!-- reading -->', '<!-- /reading -->'] as const

/** The source file, not the compiled copy. */
export function resultsPath(): string {
  return fileURLToPath(new URL('../../perf/RESULTS.md', import.meta.url))
}

function existingSections(text: string): Map<string, string> {
  const found = new Map<string, string>()
  for (const name of SCENARIOS) {
    const body = between(text, begin(name), end(name))
    if (body !== undefined) found.set(name, body)
  }
  // A file from before the markers: its aggregation section is everything from its first heading.
  if (found.size === 0) {
    const at = text.indexOf('\n## ')
    if (at !== -1) found.set('aggregation', text.slice(at + 1).trim())
  }
  return found
}

export function writeSections(fresh: ReadonlyMap<ScenarioName, string>): string {
  const path = resultsPath()
  const text = existsSync(path) ? readFileSync(path, 'utf8') : ''
  const kept = existingSections(text)
  const parts = SCENARIOS.flatMap((name) => {
    const body = fresh.get(name) ?? kept.get(name)
    return body === undefined ? [] : [`${begin(name)}\n${body.trim()}\n${end(name)}`]
  })
  const reading = between(text, ...READING)
  if (reading !== undefined) parts.unshift(`${READING[0]}\n${reading}\n${READING[1]}`)
  writeFileSync(path, `${HEADER}\n${parts.join('\n\n')}\n`)
  return path
}

/** What stands between two markers, trimmed, if the text has both in that order. */
function between(text: string, open: string, close: string): string | undefined {
  const from = text.indexOf(open)
  const to = text.indexOf(close)
  return from !== -1 && to > from ? text.slice(from + open.length, to).trim() : undefined
}
