import { pipe, type OperatorFunction } from 'rxjs'
import type { Source } from '../../operators/fan-out.js'
import { balance, callSource, concurrent, flatmap, group, omit, perRequest, pick, rename, target, wrap } from '../../operators/index.js'
import { SrvHosts, backend, discovered, type BackendOptions } from '../backend/index.js'
import type { BackendConfig } from '../config/types.js'
import { PASS_STREAM_THRESHOLD } from '../codec/json-check.js'
import { labelSource } from '../../operators/source-label.js'
import { wrapBackend } from '../middleware/registry.js'
import type { MiddlewareResources } from '../middleware/types.js'
import type { GatewayRequest } from '../request.js'

type Step = OperatorFunction<unknown, unknown>

/**
 * One `backend` entry as a source: a call to one of its hosts (round robin), its data shaped in
 * Lura's order (`is_collection`, `target`, `allow`/`deny`, `mapping`, `group`; or, with a backend
 * `flatmap_filter`: `target`, the flatmap, `group`), wrapped in the backend's middlewares
 * (circuit breaker, rate limit, ...: lib/middleware/registry.ts), and repeated `concurrent_calls`
 * times when asked, each call through the middlewares, as Lura stacks them. The allow/deny lists
 * go down to the transport, which prunes while it parses, so they are not applied twice.
 */
export function backendSource(config: BackendConfig, context: BackendContext): Source<GatewayRequest, unknown> {
  const shaping = shapingOf(config)
  const options = transportOptions(config, shaping, context)
  const calls = config.sd === 'dns' ? discoveredCalls(config, options, context) : staticCalls(config, options)
  const call = calls.length === 1 ? calls[0]! : balance(calls)
  const shaped = shaping.steps.length === 0 ? call : shapedSource(call, shaping.steps)
  const guarded = wrapBackend(shaped, config.middlewares, { ...context.resources, at: `backend ${config.url_pattern}` })
  // logs name a failed part by its url_pattern
  return labelSource(context.concurrentCalls > 1 ? concurrent(context.concurrentCalls, guarded) : guarded, config.url_pattern)
}

/** Whether a backend's data reaches its endpoint as the backend sent it: JSON, nothing pruned or reshaped. */
export function unshaped(config: BackendConfig): boolean {
  const { allow, deny, steps } = shapingOf(config)
  return config.encoding === 'json' && !allow && !deny && steps.length === 0
}

/** What a backend's source needs from its endpoint and service. */
export interface BackendContext {
  readonly concurrentCalls: number
  /** How long DNS SRV lists are kept, in ms. */
  readonly dnsCacheTtl: number
  /** The deepest nesting a decoded body may have (the service's `max_nesting_depth`). */
  readonly maxNestingDepth: number
  /** The endpoint sends this backend's document as it came (see `passesWhole`). */
  readonly verbatim: boolean
  /** And a long one as it streams, checked on the way (see `streamsWhole`). */
  readonly streamed: boolean
  /** What the backend's middlewares are made with: the logger, the user plugins, the Redis pools. */
  readonly resources: MiddlewareResources
}

/** Shaped per request, so that the fan-out still calls the source directly (see perRequest). */
function shapedSource(source: Source<GatewayRequest, unknown>, steps: readonly Step[]): Source<GatewayRequest, unknown> {
  const shape = pipe(...(steps as [Step]))
  return perRequest((request: GatewayRequest) => shape(callSource(source, request)))
}

function staticCalls(config: BackendConfig, options: BackendOptions) {
  return config.host.map((host) => backend(host + config.url_pattern, options))
}

/** `sd: "dns"`: each host is a DNS SRV name, resolved in the background into the hosts to call. */
function discoveredCalls(config: BackendConfig, options: BackendOptions, context: BackendContext) {
  const { state } = context.resources
  return config.host.map((name) => {
    const resolve = () => new SrvHosts(name, { scheme: config.sd_scheme, ttl: context.dnsCacheTtl })
    // a reloaded file keeps the lists it still names, and stops resolving the others
    const hosts = state ? state.keep(`srv ${config.sd_scheme} ${name} ${context.dnsCacheTtl}`, resolve, (srv) => srv.close()) : resolve()
    return discovered(hosts, config.url_pattern, options)
  })
}

function transportOptions(config: BackendConfig, shaping: Shaping, { verbatim, streamed, maxNestingDepth }: BackendContext): BackendOptions {
  return {
    method: config.method,
    headers: allowList(config.input_headers),
    query: allowList(config.input_query_strings),
    encoding: config.encoding,
    verbatim,
    ...(streamed ? { streamVerbatimAbove: PASS_STREAM_THRESHOLD } : {}),
    maxNestingDepth,
    // reported as KrakenD names a backend: its url_pattern, its hosts joined
    telemetry: { urlPattern: config.url_pattern, host: [...config.host].sort().join('_'), ...(config.telemetry ? { options: config.telemetry } : {}) },
    ...(shaping.allow ? { allow: shaping.allow } : {}),
    ...(shaping.deny ? { deny: shaping.deny } : {}),
  }
}

/** How a backend's data is shaped: the lists the transport prunes with while it parses, and the steps after. */
interface Shaping {
  readonly allow?: readonly string[]
  readonly deny?: readonly string[]
  readonly steps: readonly Step[]
}

function shapingOf(config: BackendConfig): Shaping {
  const prune = config.encoding === 'json' && !config.is_collection && !config.proxy.flatmap_filter
  // `allow`/`deny` paths are relative to `target`: prefixed, they hold on the whole body.
  const prefix = config.target ? `${config.target}.` : ''
  // Lura applies the allow list when there is one, else the deny list.
  const allow = prune && config.allow?.length ? config.allow.map((path) => prefix + path) : undefined
  const deny = prune && !config.allow?.length && config.deny?.length ? config.deny.map((path) => prefix + path) : undefined
  const steps: Step[] = []
  if (config.encoding === 'string') steps.push(wrap('content'))
  if (config.is_collection && config.encoding === 'json') steps.push(wrap('collection'))
  if (config.target) steps.push(target(config.target))
  if (config.proxy.flatmap_filter) {
    steps.push(flatmap(config.proxy.flatmap_filter) as Step)
  } else {
    if (config.allow?.length) {
      if (!allow) steps.push(pick(config.allow) as Step)
    } else if (config.deny?.length && !deny) steps.push(omit(config.deny) as Step)
    if (config.mapping && Object.keys(config.mapping).length > 0) steps.push(rename(config.mapping) as Step)
  }
  if (config.group) steps.push(group(config.group) as Step)
  return { ...(allow ? { allow } : {}), ...(deny ? { deny } : {}), steps }
}

/** KrakenD's header and query lists: `["*"]` forwards all. */
function allowList(names: readonly string[]): readonly string[] | '*' {
  return names.includes('*') ? '*' : names
}
