/**
 * Load rounds for several contenders, alternated round by round so that machine drift falls on
 * all of them alike: a warm-up each, then round 1 of every contender, round 2, ...
 */
import type { ContenderFigures } from './report.js'
import { wrk, type WrkResult } from './wrk.js'

export const WARM_UP_SECONDS = 3

export interface Target {
  readonly name: string
  /** The URL wrk requests. */
  readonly url: string
  /** Headers of every request (a token, an origin). */
  readonly headers?: Readonly<Record<string, string>>
}

export function line(name: string, result: WrkResult, width = 13): string {
  const errors = result.errors > 0 ? `  (${result.errors} errors)` : ''
  return `${name.padEnd(width)} ${result.requestsPerSecond.toFixed(0).padStart(7)} req/s   p99 ${result.p99.toFixed(2).padStart(7)} ms${errors}`
}

export async function alternate(targets: readonly Target[], rounds: number, seconds: number): Promise<ContenderFigures[]> {
  const width = Math.max(13, ...targets.map((t) => t.name.length))
  for (const target of targets) {
    const warm = await wrk(target.url, WARM_UP_SECONDS, target.headers)
    console.log(`${line(target.name, warm, width)}   (warm-up)`)
  }
  const results: WrkResult[][] = targets.map(() => [])
  for (let round = 1; round <= rounds; round++) {
    for (const [i, target] of targets.entries()) {
      const result = await wrk(target.url, seconds, target.headers)
      results[i]!.push(result)
      console.log(`${line(target.name, result, width)}   (round ${round}/${rounds})`)
    }
  }
  return targets.map((target, i) => ({ name: target.name, rounds: results[i]! }))
}
