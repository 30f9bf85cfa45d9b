import { renderFor, type RenderOptions } from '../codec/render.js'
import type { EndpointConfig, GatewayConfig } from '../config/types.js'
import { wrapEndpoint } from '../middleware/registry.js'
import type { MiddlewareResources } from '../middleware/types.js'
import type { Pipeline } from '../router/endpoint.js'
import type { Render } from '../router/reply.js'
import { endpointPipeline } from './endpoint-pipeline.js'
import { sourceNames } from './source-names.js'
import { passesWhole, streamsWhole } from './verbatim.js'

/** One endpoint of a file, compiled: what the gateway's route is made of. */
export interface CompiledEndpoint {
  /** The endpoint's pipeline, its backends and the endpoint itself wrapped in their middlewares. */
  readonly pipeline: Pipeline
  readonly render: Render
  /** Whether its one backend's JSON bytes are sent as they came (see `passesWhole`). */
  readonly verbatim: boolean
  /** Whether it runs a user's code (a plugin), whose callbacks are then traced to their request (`RouteOptions.trace`). */
  readonly runsPlugins: boolean
}

/**
 * Compiles one endpoint of a file, once, into one object: every decision that more than one part
 * depends on (whether the backend's bytes pass whole: its decoder keeps them, its renderer sends
 * them; whether a long document passes as it streams) is taken here, once, and handed to each part.
 */
export function compileEndpoint(endpoint: EndpointConfig, service: GatewayConfig, resources: MiddlewareResources): CompiledEndpoint {
  const verbatim = passesWhole(endpoint)
  const streamed = verbatim && streamsWhole(endpoint)
  const inner = endpointPipeline(endpoint, { dns_cache_ttl: service.dns_cache_ttl, max_nesting_depth: service.max_nesting_depth, resources, verbatim, streamed })
  const pipeline = wrapEndpoint(inner, endpoint.middlewares, { ...resources, at: `endpoint ${endpoint.endpoint}` })
  const render = renderFor(endpoint.output_encoding, renderOptions(endpoint, service, verbatim))
  const runsPlugins = [endpoint.middlewares, ...endpoint.backend.map((backend) => backend.middlewares)].some((blocks) =>
    Object.keys(blocks).some((namespace) => namespace.startsWith('plugin/')),
  )
  return { pipeline, render, verbatim, runsPlugins }
}

function renderOptions(endpoint: EndpointConfig, service: GatewayConfig, verbatim: boolean): RenderOptions {
  const calls = endpoint.backend.filter((backend) => !backend.proxy.shadow)
  const names = sourceNames(calls)
  const errorDetails = new Map<string, string>()
  calls.forEach((backend, index) => {
    if (backend.http.return_error_details) errorDetails.set(names[index]!, backend.http.return_error_details)
  })
  return {
    ...(endpoint.cache_ttl === undefined ? {} : { cacheTtl: endpoint.cache_ttl }),
    returnErrorMsg: service.router.return_error_msg,
    returnErrorCode: calls.length === 1 && calls[0]!.http.return_error_code,
    errorDetails,
    verbatim,
  }
}
