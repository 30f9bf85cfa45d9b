import type { EndpointConfig } from '../config/types.js'
import type { MiddlewareBlocks } from '../middleware/registry.js'
import { unshaped } from './backend-source.js'

/**
 * Whether an endpoint answers with its one backend's JSON document as it came: one backend
 * (shadows aside) read as `json` with nothing to shape its data, nothing added or flattened by the
 * endpoint, and JSON out. Such a backend keeps the bytes it parsed and the renderer sends those
 * bytes (`BackendOptions.verbatim`): the document is checked by the parse, not serialized again.
 */
export function passesWhole(endpoint: EndpointConfig): boolean {
  const calls = endpoint.backend.filter((backend) => !backend.proxy.shadow)
  return (
    calls.length === 1 &&
    unshaped(calls[0]!) &&
    !endpoint.proxy.sequential &&
    !endpoint.proxy.static &&
    !endpoint.proxy.flatmap_filter?.length &&
    (endpoint.output_encoding === 'json' || endpoint.output_encoding === 'json-collection' || endpoint.output_encoding === 'negotiate')
  )
}

/**
 * The middlewares that never look at the answer's data: they act on the request (refuse it, add a
 * token) or count the call. Any other (a response modifier plugin, `auth/signer`, an HTTP cache
 * that keeps values, a client plugin that replaces the call) needs the document itself.
 */
const BLIND_TO_DATA: Readonly<Record<'endpoint' | 'backend', ReadonlySet<string>>> = {
  endpoint: new Set(['security/bot-detector', 'auth/validator', 'qos/ratelimit/router', 'qos/ratelimit/router/redis']),
  backend: new Set(['qos/ratelimit/proxy', 'qos/circuit-breaker', 'auth/client-credentials']),
}

/**
 * Whether an endpoint that passes its document whole may also pass a long one as it streams
 * (`BackendOptions.streamVerbatimAbove`): its answer is the document itself, as JSON (not a
 * collection, not negotiated), from one call (`concurrent_calls` 1), and nothing between the
 * backend and the client reads the data. The head is then sent before the document is known
 * whole; one found invalid on the way is cut.
 */
export function streamsWhole(endpoint: EndpointConfig): boolean {
  const calls = endpoint.backend.filter((backend) => !backend.proxy.shadow)
  return (
    passesWhole(endpoint) &&
    endpoint.output_encoding === 'json' &&
    endpoint.concurrent_calls === 1 &&
    blind(endpoint.middlewares, BLIND_TO_DATA.endpoint) &&
    blind(calls[0]!.middlewares, BLIND_TO_DATA.backend)
  )
}

function blind(blocks: MiddlewareBlocks, known: ReadonlySet<string>): boolean {
  return Object.keys(blocks).every((namespace) => known.has(namespace))
}
