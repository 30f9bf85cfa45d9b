/**
 * The bench's knobs, read from the environment once: rounds, seconds, and which scenarios run.
 */

export const SCENARIOS = ['proxy', 'protocols', 'middlewares', 'telemetry', 'adapters', 'aggregation', 'fan-out', 'big-body', 'reload', 'operators'] as const
export type ScenarioName = (typeof SCENARIOS)[number]

/** A whole number of at least 1 from the environment; a bad value stops the bench with a message. */
export function setting(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1) {
    console.error(`${name} must be a whole number of at least 1, not "${raw}"`)
    process.exit(1)
  }
  return value
}

/** BENCH_SCENARIOS=proxy,aggregation,...: the scenarios to run, in the bench's order (default all). */
export function selectedScenarios(): ScenarioName[] {
  const raw = process.env.BENCH_SCENARIOS
  if (raw === undefined || raw.trim() === '') return [...SCENARIOS]
  const asked = raw.split(',').map((s) => s.trim()).filter((s) => s !== '')
  const unknown = asked.filter((s) => !(SCENARIOS as readonly string[]).includes(s))
  if (unknown.length > 0) {
    console.error(`BENCH_SCENARIOS: unknown scenario ${unknown.join(', ')}; choose among ${SCENARIOS.join(', ')}`)
    process.exit(1)
  }
  return SCENARIOS.filter((s) => asked.includes(s))
}

/** The exact command, as RESULTS.md records it: the BENCH_ settings, then `npm run bench`. */
export function command(): string {
  const env = Object.entries(process.env).filter(([key]) => key.startsWith('BENCH_') && key !== 'BENCH_URLS')
  return [...env.map(([key, value]) => `${key}=${value}`), 'npm run bench'].join(' ')
}
