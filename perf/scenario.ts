/**
 * What every scenario gets from run.ts, and what it gives back: its section of perf/RESULTS.md.
 */
import type { Backends } from './backends.js'

export interface Context {
  readonly rounds: number
  readonly seconds: number
  /** wrk's version line. */
  readonly wrk: string
  readonly date: Date
  readonly command: string
  /** The three fixture services (started once, shared by the load scenarios). */
  backends(): Promise<Backends>
}

/** Runs one scenario, printing as it goes; resolves to its Markdown section. */
export type Scenario = (context: Context) => Promise<string>
