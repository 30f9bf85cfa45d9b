import type { BackendConfig, EndpointConfig, GatewayConfig } from './types.js'

export interface DescribeOptions {
  /** 1 to 3, as KrakenD's `check -d`, `-dd`, `-ddd`: each level says more. */
  readonly verbosity: number
  /** What one level of nesting is written with. Default a tab, as KrakenD's `-i`. */
  readonly indent?: string
}

/**
 * How rxgate reads a configuration, in the shape of KrakenD's `check -d` dump: the service's
 * settings and components, then each endpoint with its components and backends. `-dd` adds the
 * shaping of each backend and the endpoint's inputs; `-ddd` each component's block.
 *
 * @example
 * process.stdout.write(describeConfig(config, { verbosity: 1 }))
 * // Global settings
 * //     Name: My lovely gateway
 * //     Port: 8080
 * // 1 global component configuration(s):
 * // - security/cors
 * // 1 API endpoints:
 * //     - GET /users/{id}
 * // ...
 */
export function describeConfig(config: GatewayConfig, options: DescribeOptions): string {
  const tab = options.indent ?? '\t'
  const more = options.verbosity >= 2
  const blocks = options.verbosity >= 3
  const lines: string[] = []
  const line = (depth: number, text: string) => lines.push(`${tab.repeat(depth)}${text}`)
  const components = (depth: number, what: string, found: Readonly<Record<string, unknown>>) => {
    const names = Object.keys(found).sort()
    line(depth, `${names.length} ${what} component configuration(s):`)
    for (const name of names) {
      line(depth, `- ${name}`)
      if (blocks) line(depth + 1, JSON.stringify(found[name]))
    }
  }

  line(0, 'Global settings')
  line(1, `Name: ${config.name}`)
  line(1, `Port: ${config.port}`)
  if (config.listen_ip !== undefined) line(1, `Listen IP: ${config.listen_ip}`)
  line(1, `Timeout: ${duration(config.timeout)}`)
  if (config.tls) line(1, 'TLS: on')
  if (more) line(1, `Output encoding: ${config.output_encoding}`)
  components(0, 'global', serviceComponents(config))
  line(0, `${config.endpoints.length} API endpoints:`)
  for (const endpoint of config.endpoints) describeEndpoint(endpoint)
  return `${lines.join('\n')}\n`

  function describeEndpoint(endpoint: EndpointConfig) {
    line(1, `- ${endpoint.method} ${endpoint.endpoint}`)
    line(1, `Timeout: ${duration(endpoint.timeout)}`)
    if (more) {
      line(1, `Output encoding: ${endpoint.output_encoding}`)
      line(1, `Concurrent calls: ${endpoint.concurrent_calls}`)
      line(1, `Headers to pass: ${list(endpoint.input_headers)}`)
      line(1, `Query strings to pass: ${list(endpoint.input_query_strings)}`)
    }
    components(1, 'endpoint', endpoint.middlewares)
    line(1, `Connecting to ${endpoint.backend.length} backend(s):`)
    for (const backend of endpoint.backend) describeBackend(backend)
  }

  function describeBackend(backend: BackendConfig) {
    line(2, `[+] ${backend.method} ${backend.url_pattern}`)
    line(2, `Hosts: [${backend.host.join(' ')}]`)
    if (more) {
      line(2, `Encoding: ${backend.encoding}`)
      if (backend.allow) line(2, `Allow: ${list(backend.allow)}`)
      if (backend.deny) line(2, `Deny: ${list(backend.deny)}`)
      if (backend.group) line(2, `Group: ${backend.group}`)
      if (backend.target) line(2, `Target: ${backend.target}`)
      if (backend.mapping) line(2, `Mapping: ${JSON.stringify(backend.mapping)}`)
      if (backend.is_collection) line(2, 'Collection: true')
    }
    components(2, 'backend', backend.middlewares)
  }
}

/** The service's components: its middlewares, and the namespaces read into settings of their own. */
function serviceComponents(config: GatewayConfig): Record<string, unknown> {
  return {
    ...config.middlewares,
    ...(config.logging ? { 'telemetry/logging': config.logging } : {}),
    ...(config.telemetry ? { 'telemetry/opentelemetry': config.telemetry } : {}),
    ...(config.stats ? { 'telemetry/metrics': config.stats } : {}),
    ...(config.redis.connection_pools?.length ? { redis: config.redis } : {}),
  }
}

function duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`
}

function list(values: readonly string[]): string {
  return values.length === 0 ? '(none)' : values.join(', ')
}
