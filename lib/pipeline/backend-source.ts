import { pipe, type OperatorFunction } from 'rxjs'
import type { Source } from '../../operators/fan-out.js'
import { balance, callSource, concurrent, flatmap, group, omit, perRequest, pick, rename, target, wrap } from '../../operators/index.js'
import { SrvHosts, backend, discovered, type BackendOptions } from '../backend/index.js'
import type { BackendConfig } from '../config/types.js'
import type { GatewayRequest } from '../request.js'

type Step = OperatorFunction<unknown, unknown>

/**
 * One `backend` entry as a source: a call to one of its hosts (round robin), repeated
 * `concurrent_calls` times when asked, then its data shaped in Lura's order: `is_collection`,
 * `target`, `allow`/`deny`, `mapping`, `group` (or, with a backend `flatmap_filter`: `target`,
 * the flatmap, `group`). The allow/deny lists go down to the transport, which prunes while it
 * parses, so they are not applied twice.
 */
export function backendSource(config: BackendConfig, context: BackendContext): Source<GatewayRequest, unknown> {
  const options = transportOptions(config, context)
  const calls = config.sd === 'dns' ? discoveredCalls(config, options, context) : staticCalls(config, options)
  const call = calls.length === 1 ? calls[0]! : balance(calls)
  const source = context.concurrentCalls > 1 ? concurrent(context.concurrentCalls, call) : call
  const steps = shaping(config, options)
  if (steps.length === 0) return source
  // Shaped per request, so that the fan-out still calls the source directly (see perRequest).
  const shape = pipe(...(steps as [Step]))
  return perRequest((request: GatewayRequest) => shape(callSource(source, request)))
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
}

function staticCalls(config: BackendConfig, options: BackendOptions) {
  return config.host.map((host) => backend(host + config.url_pattern, options))
}

/** `sd: "dns"`: each host is a DNS SRV name, resolved in the background into the hosts to call. */
function discoveredCalls(config: BackendConfig, options: BackendOptions, context: BackendContext) {
  return config.host.map((name) => discovered(new SrvHosts(name, { scheme: config.sd_scheme, ttl: context.dnsCacheTtl }), config.url_pattern, options))
}

function transportOptions(config: BackendConfig, { verbatim, maxNestingDepth }: BackendContext): BackendOptions {
  const prune = config.encoding === 'json' && !config.is_collection && !config.proxy.flatmap_filter
  // `allow`/`deny` paths are relative to `target`: prefixed, they hold on the whole body.
  const prefix = config.target ? `${config.target}.` : ''
  return {
    method: config.method,
    headers: allowList(config.input_headers),
    query: allowList(config.input_query_strings),
    encoding: config.encoding,
    verbatim,
    maxNestingDepth,
    // Lura applies the allow list when there is one, else the deny list.
    ...(prune && config.allow?.length ? { allow: config.allow.map((path) => prefix + path) } : {}),
    ...(prune && !config.allow?.length && config.deny?.length ? { deny: config.deny.map((path) => prefix + path) } : {}),
  }
}

function shaping(config: BackendConfig, transport: BackendOptions): Step[] {
  const steps: Step[] = []
  if (config.encoding === 'string') steps.push(wrap('content'))
  if (config.is_collection && config.encoding === 'json') steps.push(wrap('collection'))
  if (config.target) steps.push(target(config.target))
  if (config.proxy.flatmap_filter) {
    steps.push(flatmap(config.proxy.flatmap_filter) as Step)
  } else {
    if (config.allow?.length) {
      if (!transport.allow) steps.push(pick(config.allow) as Step)
    } else if (config.deny?.length && !transport.deny) steps.push(omit(config.deny) as Step)
    if (config.mapping && Object.keys(config.mapping).length > 0) steps.push(rename(config.mapping) as Step)
  }
  if (config.group) steps.push(group(config.group) as Step)
  return steps
}

/** KrakenD's header and query lists: `["*"]` forwards all. */
function allowList(names: readonly string[]): readonly string[] | '*' {
  return names.includes('*') ? '*' : names
}
