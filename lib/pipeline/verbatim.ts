import type { EndpointConfig } from '../config/types.js'
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
