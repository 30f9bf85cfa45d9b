/**
 * A request modifier plugin (`plugin/req-resp-modifier`), for an endpoint or one backend: the
 * headers it lists never reach the backends. The common case: an endpoint forwards every header
 * (`"input_headers": ["*"]`) to its own services, but a third-party backend must not see the
 * client's credentials.
 *
 *   "extra_config": {
 *     "plugin/req-resp-modifier": { "name": ["strip-headers"], "strip-headers": { "headers": ["Authorization", "Cookie"] } }
 *   }
 */
import { map } from 'rxjs'
import { definePlugin, type GatewayRequest } from '../../lib/index.js'
import { callSource, perRequest } from '../../operators/index.js'

interface StripHeadersConfig {
  /** The headers to remove, any case. */
  readonly headers: readonly string[]
}

export default definePlugin<StripHeadersConfig>({
  name: 'strip-headers',
  endpoint: (config) => {
    const strip = stripper(config)
    return (pipeline) => (request$) => pipeline(request$.pipe(map(strip)))
  },
  backend: (config) => {
    const strip = stripper(config)
    return (source) => perRequest((request: GatewayRequest) => callSource(source, strip(request)))
  },
})

/** The request without the listed headers: a new request, the client's own left as it came. */
function stripper(config: StripHeadersConfig | undefined): (request: GatewayRequest) => GatewayRequest {
  const listed = config?.headers
  if (!Array.isArray(listed) || listed.length === 0 || !listed.every((name) => typeof name === 'string' && name !== '')) {
    throw new Error('"headers" must be a non-empty list of header names')
  }
  const names = listed.map((name: string) => name.toLowerCase())
  return (request) => {
    if (!names.some((name) => request.headers[name] !== undefined)) return request
    const headers = { ...request.headers }
    for (const name of names) delete headers[name]
    return { ...request, headers }
  }
}
