/**
 * One contender profiled alone: started under `node --cpu-prof`, loaded by wrk, stopped (which
 * writes the profile), and its profile summed up per request served.
 */
import { formatSummary, profileFlags, summarize } from './profile.js'
import type { Started } from './processes.js'
import { line } from './rounds.js'
import { wrk, type WrkResult } from './wrk.js'

export interface Profiled {
  readonly url: string
  readonly process: Started
}

export async function profileUnderLoad(name: string, start: (nodeArgs: string[]) => Promise<Profiled>, seconds: number): Promise<string> {
  const { dir, flags } = profileFlags()
  const profiled = await start(flags)
  let result: WrkResult
  try {
    console.log(`\nprofiling ${name}: node --cpu-prof, wrk for ${seconds} s`)
    result = await wrk(profiled.url, seconds)
    console.log(`${line(name, result)}   (profiled)`)
  } finally {
    // The profile is written as the process exits.
    await profiled.process.stop(10_000)
  }
  const text = `${name}, profiled at ${result.requestsPerSecond.toFixed(0)} req/s: ${formatSummary(summarize(dir, result.requests))}`
  console.log(text)
  return text
}
