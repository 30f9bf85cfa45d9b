import { map, mergeMap, of, pipe, type Observable, type OperatorFunction } from 'rxjs'
import { fanOut, flatmap, merge, sequence, shadow, staticData, timeoutEach, type Merged } from '../../operators/index.js'
import { DEFAULTS } from '../config/normalize.js'
import type { EndpointConfig, GatewayConfig } from '../config/types.js'
import { pino } from 'pino'
import type { MiddlewareResources } from '../middleware/types.js'
import type { Pipeline } from '../router/endpoint.js'
import { backendSource } from './backend-source.js'
import { sequenceParams } from './sequence-params.js'
import { sourceNames } from './source-names.js'
import { passesWhole } from './verbatim.js'

/**
 * An endpoint's pipeline, built once at start-up: shadow backends fired aside, the others called
 * in parallel (or one after another when `sequential`), each within the endpoint's timeout, then
 * merged, decorated with static data, and flattened by the endpoint's `flatmap_filter`.
 * A `no-op` endpoint is its one backend's call, passed through. Each backend is wrapped in its
 * own middlewares; the endpoint's middlewares wrap this pipeline (see `compileEndpoint`).
 */
export function endpointPipeline(config: EndpointConfig, service: ServiceSettings = {}): Pipeline {
  const calls = config.backend.filter((backend) => !backend.proxy.shadow)
  const shadows = config.backend.filter((backend) => backend.proxy.shadow)
  const context = {
    concurrentCalls: config.concurrent_calls,
    dnsCacheTtl: service.dns_cache_ttl ?? DEFAULTS.dns_cache_ttl,
    maxNestingDepth: service.max_nesting_depth ?? DEFAULTS.max_nesting_depth,
    verbatim: service.verbatim ?? passesWhole(config),
    // only with a renderer that writes a passed document through (compileEndpoint's)
    streamed: service.streamed ?? false,
    resources: service.resources ?? { logger: SILENT },
  }
  const sources = calls.map((backend) => backendSource(backend, context))
  const names = sourceNames(calls)
  if (config.output_encoding === 'no-op') return sources[0]!

  const steps: Step[] = shadows.map((backend) => shadow(backendSource(backend, { ...context, concurrentCalls: 1, verbatim: false, streamed: false }), { timeout: config.timeout }))
  steps.push(
    config.proxy.sequential
      ? sequence(named(names, sources), sequenceParams(calls.map((backend) => backend.url_pattern)), { timeout: config.timeout })
      : pipe(fanOut(named(names, sources)), timeoutEach(config.timeout)),
    merge(),
  )
  if (config.proxy.static) steps.push(staticData(config.proxy.static.strategy, { ...config.proxy.static.data }))
  if (config.proxy.flatmap_filter) steps.push(onData(flatmap(config.proxy.flatmap_filter)))
  return (request$) => steps.reduce<Observable<unknown>>((stream, step) => step(stream), request$)
}

/**
 * What an endpoint's backends take from the service: its `dns_cache_ttl` and `max_nesting_depth`
 * (defaults otherwise), what their middlewares are made with (a silent logger unless said), and
 * whether the endpoint passes its one backend's bytes whole (`passesWhole` unless said), and a
 * long document as it streams (`streamsWhole`: only when said, with a renderer built with
 * `verbatim`, which writes it through).
 */
export type ServiceSettings = Partial<Pick<GatewayConfig, 'dns_cache_ttl' | 'max_nesting_depth'>> & {
  readonly resources?: MiddlewareResources
  readonly verbatim?: boolean
  readonly streamed?: boolean
}

const SILENT = pino({ level: 'silent' })

/** A step of the pipeline; consecutive steps' types match by construction, which the e2e tests check. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Step = OperatorFunction<any, unknown>

function named<T>(names: readonly string[], values: readonly T[]): Record<string, T> {
  return Object.fromEntries(names.map((name, index) => [name, values[index]!]))
}

/** Applies an operator on plain values to a merged answer's data. */
function onData(operator: OperatorFunction<unknown, unknown>): OperatorFunction<Merged, Merged> {
  return mergeMap((answer) => of(answer.data).pipe(operator, map((data) => ({ ...answer, data: data as Record<string, unknown> }))))
}
