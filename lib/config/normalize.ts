import { toMilliseconds } from '../../operators/duration.js'
import { sanitizeHost } from './hosts.js'
import { loggingSettings, type RawLoggingSettings } from '../logging/settings.js'
import type { MiddlewareBlocks } from '../middleware/registry.js'
import type { RedisConfig } from '../redis/pools.js'
import { tlsSettings, type RawTls } from '../tls/settings.js'
import { isMiddlewareNamespace, readExtraConfig, type Scope } from './namespaces.js'
import type {
  BackendConfig,
  BackendEncoding,
  EndpointConfig,
  FlatmapOperation,
  GatewayConfig,
  OutputEncoding,
  PluginFolder,
  RouterOptions,
  StaticProxy,
} from './types.js'

/** The defaults, in one place: KrakenD's, unless said otherwise. */
export const DEFAULTS = {
  port: 8080,
  /** Lura's `DefaultTimeout`. */
  timeout: 2000,
  output_encoding: 'json',
  method: 'GET',
  concurrent_calls: 1,
  encoding: 'json',
  sd: 'static',
  static_strategy: 'always',
  health_path: '/__health',
  sd_scheme: 'http',
  /** KrakenD's DNS SRV cache: 30 s. */
  dns_cache_ttl: 30_000,
  /** Gin's lookup headers for the client IP. */
  remote_ip_headers: ['X-Forwarded-For', 'X-Real-IP'],
  /** Go's encoding/json nesting limit. */
  max_nesting_depth: 10_000,
} as const

/**
 * Turns a raw configuration that passed `validateConfig` into the `GatewayConfig` the pipeline
 * compiles: defaults filled in, durations in milliseconds, hosts inherited and sanitized,
 * namespaces under their short names. It trusts the validation and checks nothing itself.
 */
export function normalizeConfig(raw: unknown): GatewayConfig {
  const service = raw as RawService
  const ignored = new Set<string>()
  const extra = scoped(service.extra_config, 'service', ignored)
  const timeout = milliseconds(service.timeout) || DEFAULTS.timeout
  const defaults = {
    hosts: (service.host ?? []).map(sanitize),
    timeout,
    cache_ttl: seconds(service.cache_ttl),
    output_encoding: service.output_encoding ?? DEFAULTS.output_encoding,
  }
  const endpoints = (service.endpoints ?? []).map((endpoint) => normalizeEndpoint(endpoint, defaults, ignored))
  return {
    version: 3,
    name: service.name ?? '',
    port: service.port || DEFAULTS.port,
    ...(service.listen_ip ? { listen_ip: service.listen_ip } : {}),
    ...optional('tls', tlsSettings(service.tls)),
    use_h2c: service.use_h2c ?? false,
    timeout,
    ...optional('cache_ttl', defaults.cache_ttl),
    output_encoding: defaults.output_encoding,
    ...optional('read_timeout', milliseconds(service.read_timeout) || undefined),
    ...optional('write_timeout', milliseconds(service.write_timeout) || undefined),
    ...optional('idle_timeout', milliseconds(service.idle_timeout) || undefined),
    ...optional('read_header_timeout', milliseconds(service.read_header_timeout) || undefined),
    ...optional('max_header_bytes', service.max_header_bytes || undefined),
    debug_endpoint: service.debug_endpoint ?? false,
    echo_endpoint: service.echo_endpoint ?? false,
    // KrakenD uses its default for anything under one second
    dns_cache_ttl: Math.max(milliseconds(service.dns_cache_ttl) || DEFAULTS.dns_cache_ttl, 1000),
    router: normalizeRouter(extra.router as RawRouter | undefined),
    middlewares: middlewares(extra, 'service'),
    max_nesting_depth: (extra.rxgate as RawRxgate | undefined)?.max_nesting_depth ?? DEFAULTS.max_nesting_depth,
    redis: (extra.redis as RedisConfig | undefined) ?? {},
    ...optional('logging', extra['telemetry/logging'] === undefined ? undefined : loggingSettings(extra['telemetry/logging'] as RawLoggingSettings)),
    ...optional('telemetry', extra['telemetry/opentelemetry'] as GatewayConfig['telemetry']),
    ...optional('stats', extra['telemetry/metrics'] as GatewayConfig['stats']),
    endpoints,
    ignored_namespaces: [...ignored].sort(),
    ...optional('plugin', service.plugin && { folder: service.plugin.folder, pattern: service.plugin.pattern }),
  }
}

interface ServiceDefaults {
  readonly hosts: readonly string[]
  readonly timeout: number
  readonly cache_ttl: number | undefined
  readonly output_encoding: OutputEncoding
}

function normalizeRouter(router: RawRouter = {}): RouterOptions {
  return {
    return_error_msg: router.return_error_msg ?? false,
    disable_health: router.disable_health ?? false,
    // Lura takes an empty health_path as "not set"
    health_path: router.health_path || DEFAULTS.health_path,
    disable_access_log: router.disable_access_log ?? false,
    logger_skip_paths: router.logger_skip_paths ?? [],
    auto_options: router.auto_options ?? false,
    remove_extra_slash: router.remove_extra_slash ?? false,
    disable_redirect_trailing_slash: router.disable_redirect_trailing_slash ?? false,
    disable_handle_method_not_allowed: router.disable_handle_method_not_allowed ?? false,
    disable_redirect_fixed_path: router.disable_redirect_fixed_path ?? false,
    forwarded_by_client_ip: router.forwarded_by_client_ip ?? false,
    // an empty list is "not set" (KrakenD's zero value): the default headers apply
    remote_ip_headers: router.remote_ip_headers?.length ? router.remote_ip_headers : DEFAULTS.remote_ip_headers,
    trusted_proxies: router.trusted_proxies ?? [],
  }
}

function normalizeEndpoint(endpoint: RawEndpoint, service: ServiceDefaults, ignored: Set<string>): EndpointConfig {
  const extra = scoped(endpoint.extra_config, 'endpoint', ignored)
  const proxy = (extra.proxy ?? {}) as RawEndpointProxy
  const method = endpoint.method ?? DEFAULTS.method
  const backends = endpoint.backend ?? []
  const normalized = {
    endpoint: endpoint.endpoint,
    method,
    // KrakenD reads a zero duration as "not set"
    timeout: milliseconds(endpoint.timeout) || service.timeout,
    cache_ttl: seconds(endpoint.cache_ttl) ?? service.cache_ttl,
    concurrent_calls: endpoint.concurrent_calls ?? DEFAULTS.concurrent_calls,
    input_headers: forwarded(endpoint.input_headers) ?? [],
    input_query_strings: forwarded(endpoint.input_query_strings) ?? [],
    output_encoding: endpoint.output_encoding ?? service.output_encoding,
  }
  const { cache_ttl, ...rest } = normalized
  return {
    ...rest,
    ...optional('cache_ttl', cache_ttl),
    backend: backends.map((backend) => normalizeBackend(backend, normalized, service, ignored)),
    middlewares: middlewares(extra, 'endpoint'),
    ...optional('telemetry', extra['telemetry/opentelemetry'] as EndpointConfig['telemetry']),
    proxy: {
      ...optional('static', staticProxy(proxy.static)),
      sequential: proxy.sequential ?? false,
      // KrakenD loads an endpoint flatmap only when there is a merge to work on
      ...optional('flatmap_filter', backends.length > 1 ? flatmap(proxy.flatmap_filter) : undefined),
    },
  }
}

function normalizeBackend(
  backend: RawBackend,
  endpoint: Pick<EndpointConfig, 'method' | 'output_encoding' | 'input_headers' | 'input_query_strings'>,
  service: ServiceDefaults,
  ignored: Set<string>,
): BackendConfig {
  const extra = scoped(backend.extra_config, 'backend', ignored)
  const proxy = (extra.proxy ?? {}) as RawBackendProxy
  const http = (extra['backend/http'] ?? {}) as RawBackendHttp
  const own = backend.host ?? []
  // DNS SRV names (`_api._tcp.users.service.consul`) are names to resolve, not hosts to clean.
  const keep = backend.disable_host_sanitize || backend.sd === 'dns'
  const hosts = own.length === 0 ? service.hosts : keep ? own : own.map(sanitize)
  return {
    host: hosts,
    url_pattern: backend.url_pattern,
    method: backend.method ?? endpoint.method,
    // as in Lura: a no-op endpoint passes its backend's body through, whatever the backend says
    encoding: endpoint.output_encoding === 'no-op' ? 'no-op' : (backend.encoding ?? DEFAULTS.encoding),
    ...optional('allow', backend.allow?.length ? backend.allow : undefined),
    ...optional('deny', backend.deny?.length ? backend.deny : undefined),
    ...optional('group', backend.group || undefined),
    ...optional('target', backend.target || undefined),
    ...optional('mapping', backend.mapping && Object.keys(backend.mapping).length > 0 ? backend.mapping : undefined),
    is_collection: backend.is_collection ?? false,
    middlewares: middlewares(extra, 'backend'),
    ...optional('telemetry', extra['telemetry/opentelemetry'] as BackendConfig['telemetry']),
    // an empty list is "not set" (KrakenD's zero value): the endpoint's list applies
    input_headers: forwarded(backend.input_headers) ?? endpoint.input_headers,
    input_query_strings: forwarded(backend.input_query_strings) ?? endpoint.input_query_strings,
    disable_host_sanitize: backend.disable_host_sanitize ?? false,
    sd: backend.sd ?? DEFAULTS.sd,
    sd_scheme: backend.sd_scheme ?? DEFAULTS.sd_scheme,
    http: {
      ...optional('return_error_details', http.return_error_details || undefined),
      return_error_code: http.return_error_code ?? false,
    },
    proxy: {
      shadow: proxy.shadow ?? false,
      ...optional('flatmap_filter', flatmap(proxy.flatmap_filter)),
    },
  }
}

/**
 * A forwarding list: `undefined` when not set or empty (inherit), and `[""]` (KrakenD's way to
 * say "none") becomes `[]`.
 */
function forwarded(list: readonly string[] | undefined): readonly string[] | undefined {
  if (list === undefined || list.length === 0) return undefined
  return list.filter((name) => name !== '')
}

function staticProxy(value: RawStatic | undefined): StaticProxy | undefined {
  if (value === undefined) return undefined
  return { strategy: value.strategy ?? DEFAULTS.static_strategy, data: value.data }
}

function flatmap(operations: readonly FlatmapOperation[] | undefined): readonly FlatmapOperation[] | undefined {
  if (operations === undefined || operations.length === 0) return undefined
  return operations.map(({ type, args }) => ({ type, args }))
}

/** A scope's middleware namespaces (auth/validator, security/cors, ...) by short name, their blocks as written. */
function middlewares(extra: Record<string, unknown>, scope: Scope): MiddlewareBlocks {
  return Object.fromEntries(Object.entries(extra).filter(([name]) => isMiddlewareNamespace(scope, name)))
}

/** One scope's known namespaces by short name; the others are added to `ignored`. */
function scoped(extra: unknown, scope: Scope, ignored: Set<string>): Record<string, unknown> {
  const { known, ignored: names } = readExtraConfig(extra, scope)
  for (const name of names) ignored.add(name)
  return Object.fromEntries([...known].map(([name, { value }]) => [name, value]))
}

function sanitize(host: string): string {
  return sanitizeHost(host) ?? host
}

function milliseconds(duration: string | undefined): number {
  if (duration === undefined || duration === '0') return 0
  return toMilliseconds(duration)
}

/** A cache TTL in whole seconds, as Cache-Control writes it; zero means "not set". */
function seconds(duration: string | undefined): number | undefined {
  const ms = milliseconds(duration)
  return ms > 0 ? Math.floor(ms / 1000) : undefined
}

/** `{ key: value }`, or nothing when the value is absent: optional fields stay absent, not `undefined`. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V }
}

/** The raw shapes, as the schema guarantees them. */
interface RawService {
  name?: string
  port?: number
  listen_ip?: string
  tls?: RawTls | null
  use_h2c?: boolean
  host?: string[]
  timeout?: string
  cache_ttl?: string
  output_encoding?: OutputEncoding
  read_timeout?: string
  write_timeout?: string
  idle_timeout?: string
  read_header_timeout?: string
  max_header_bytes?: number
  debug_endpoint?: boolean
  echo_endpoint?: boolean
  dns_cache_ttl?: string
  endpoints?: RawEndpoint[]
  extra_config?: unknown
  plugin?: PluginFolder
}

interface RawRouter {
  return_error_msg?: boolean
  disable_health?: boolean
  health_path?: string
  disable_access_log?: boolean
  logger_skip_paths?: string[]
  auto_options?: boolean
  remove_extra_slash?: boolean
  disable_redirect_trailing_slash?: boolean
  disable_handle_method_not_allowed?: boolean
  disable_redirect_fixed_path?: boolean
  forwarded_by_client_ip?: boolean
  remote_ip_headers?: string[]
  trusted_proxies?: string[]
}

interface RawRxgate {
  max_nesting_depth?: number
}

interface RawEndpoint {
  endpoint: string
  method?: string
  timeout?: string
  cache_ttl?: string
  concurrent_calls?: number
  input_headers?: string[]
  input_query_strings?: string[]
  output_encoding?: OutputEncoding
  backend?: RawBackend[]
  extra_config?: unknown
}

interface RawStatic {
  data: Record<string, unknown>
  strategy?: StaticProxy['strategy']
}

interface RawEndpointProxy {
  static?: RawStatic
  sequential?: boolean
  flatmap_filter?: FlatmapOperation[]
}

interface RawBackend {
  host?: string[]
  url_pattern: string
  method?: string
  encoding?: BackendEncoding
  allow?: string[]
  deny?: string[]
  group?: string
  target?: string
  mapping?: Record<string, string>
  is_collection?: boolean
  input_headers?: string[]
  input_query_strings?: string[]
  disable_host_sanitize?: boolean
  sd?: 'static' | 'dns'
  sd_scheme?: 'http' | 'https'
  extra_config?: unknown
}

interface RawBackendProxy {
  shadow?: boolean
  flatmap_filter?: FlatmapOperation[]
}

interface RawBackendHttp {
  return_error_details?: string
  return_error_code?: boolean
}
