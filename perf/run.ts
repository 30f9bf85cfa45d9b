/**
 * `npm run bench`: every scenario in one run, each in the order of settings.ts. Backends, each
 * contender and wrk run in processes of their own; within a scenario the rounds alternate between
 * contenders so that machine drift falls on all alike. wrk and nginx (the backends) are installed
 * with apt-get when missing and the bench runs as root; without nginx the backends are a Node
 * process, with a warning.
 *
 * BENCH_SCENARIOS=proxy,protocols,middlewares,telemetry,adapters,aggregation,fan-out,big-body,reload,operators (default all) picks scenarios;
 * BENCH_ROUNDS (5) and BENCH_SECONDS (5) set the rounds; BENCH_BACKENDS=nginx|node forces the
 * backend server; BENCH_PROFILE=1 always profiles the aggregation's contenders afterwards, =0
 * never (by default: when rxgate is below 0.8 of the hand-written). Only a full run (5 rounds of
 * 5 s or more) rewrites the scenarios' sections of perf/RESULTS.md.
 */
import { startBackends, type Backends } from './backends.js'
import { interrupted, stopAll, stopAllOnExit } from './processes.js'
import { machine } from './report.js'
import { writeSections } from './results.js'
import type { Context, Scenario } from './scenario.js'
import { adapters } from './scenarios/adapters.js'
import { aggregation } from './scenarios/aggregation.js'
import { bigBody } from './scenarios/big-body.js'
import { fanOut } from './scenarios/fan-out.js'
import { middlewares } from './scenarios/middlewares.js'
import { operators } from './scenarios/operators.js'
import { protocols } from './scenarios/protocols.js'
import { proxy } from './scenarios/proxy.js'
import { reload } from './scenarios/reload.js'
import { telemetry } from './scenarios/telemetry.js'
import { command, selectedScenarios, setting, type ScenarioName } from './settings.js'
import { ensureWrk } from './wrk.js'

const scenarios: Record<ScenarioName, Scenario> = {
  proxy,
  protocols,
  middlewares,
  telemetry,
  adapters,
  aggregation,
  'fan-out': fanOut,
  'big-body': bigBody,
  reload,
  operators,
}

async function main(): Promise<void> {
  const rounds = setting('BENCH_ROUNDS', 5)
  const seconds = setting('BENCH_SECONDS', 5)
  const selected = selectedScenarios()
  const date = new Date()
  console.log(`rxgate bench: ${selected.join(', ')}`)
  console.log(`${date.toISOString()}, ${machine()}`)
  const loaded = selected.some((name) => name !== 'operators')
  const wrkVersion = loaded ? ensureWrk() : 'wrk (not used)'

  // Started on first use, shared by the load scenarios.
  let started: Promise<Backends> | undefined
  const context: Context = {
    rounds,
    seconds,
    wrk: wrkVersion,
    date,
    command: command(),
    backends: () =>
      (started ??= startBackends().then((backends) => {
        console.log(`backends: ${backends.server} (${Object.values(backends.urls).join(', ')})`)
        return backends
      })),
  }

  const sections = new Map<ScenarioName, string>()
  const failed: string[] = []
  for (const name of selected) {
    try {
      sections.set(name, await scenarios[name](context))
    } catch (error) {
      if (interrupted()) throw error
      // One scenario failing must not lose the others' figures.
      console.error(`\nscenario ${name} failed: ${error instanceof Error ? error.message : String(error)}`)
      failed.push(name)
    }
  }
  if (started) await (await started).stop()

  if (rounds >= 5 && seconds >= 5 && sections.size > 0) console.log(`\nwrote ${writeSections(sections)} (${[...sections.keys()].join(', ')})`)
  else console.log('\nperf/RESULTS.md not written: a short run (write it with at least 5 rounds of 5 s)')
  if (failed.length > 0) {
    console.error(`failed scenarios: ${failed.join(', ')}`)
    process.exitCode = 1
  }
}

stopAllOnExit()
try {
  await main()
} catch (error) {
  if (!interrupted()) console.error(`\nbench failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
} finally {
  await stopAll()
}
// Nothing of the bench's own may keep it alive (fetch's keep-alive sockets, say).
process.exit()
