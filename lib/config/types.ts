import type { LoggingSettings } from '../logging/settings.js'
import type { MiddlewareBlocks } from '../middleware/registry.js'
import type { TlsSettings } from '../tls/settings.js'
import type { RedisConfig } from '../redis/pools.js'
import type { BackendTelemetryOptions, EndpointTelemetryOptions, OpenTelemetryOptions, StatsOptions } from '../telemetry/settings.js'
/**
 * The configuration after `lib/config` has loaded, validated and normalized it: KrakenD's
 * configuration v3 with its own key names, every default filled in, durations in milliseconds,
 * hosts inherited from the service, and `extra_config` namespaces under their short names.
 * This is what `lib/pipeline` compiles; nothing past `lib/config` reads the raw file.
 */

/** How an endpoint's answer is written. */
export type OutputEncoding = 'json' | 'json-collection' | 'string' | 'no-op' | 'negotiate' | 'xml' | 'yaml'

/** How a backend's body is read. */
export type BackendEncoding = 'json' | 'safejson' | 'xml' | 'rss' | 'string' | 'no-op'

/** The `router` namespace of the service (all optional in the file, all present here). */
export interface RouterOptions {
  readonly return_error_msg: boolean
  readonly disable_health: boolean
  /** Default `/__health`. */
  readonly health_path: string
  readonly disable_access_log: boolean
  readonly logger_skip_paths: readonly string[]
  readonly auto_options: boolean
  readonly remove_extra_slash: boolean
  readonly disable_redirect_trailing_slash: boolean
  readonly disable_handle_method_not_allowed: boolean
  /** No redirect to a path that matches a route only once cleaned or in another case. */
  readonly disable_redirect_fixed_path: boolean
  /** Whether the client IP is read from `remote_ip_headers` (when the peer is a trusted proxy). Default false. */
  readonly forwarded_by_client_ip: boolean
  /** The headers holding the client IP, as the file wrote them. Default `["X-Forwarded-For", "X-Real-IP"]`. */
  readonly remote_ip_headers: readonly string[]
  /** The proxies whose headers are believed: IP addresses and CIDR ranges, checked. Default none. */
  readonly trusted_proxies: readonly string[]
}

export interface GatewayConfig {
  readonly version: 3
  readonly name: string
  /** Default 8080. */
  readonly port: number
  /** Default: all interfaces. */
  readonly listen_ip?: string
  /** The service's `tls` block: HTTPS, HTTP/2 or HTTP/1.1 by ALPN. Absent: plain HTTP (no block, or `"disabled": true`). */
  readonly tls?: TlsSettings
  /** Cleartext HTTP/2 (prior knowledge) beside HTTP/1.1 on the port. Default false. */
  readonly use_h2c: boolean
  /** Default 2000 (KrakenD's 2s). */
  readonly timeout: number
  /** Seconds; absent means no Cache-Control header. */
  readonly cache_ttl?: number
  /** Default `json`. */
  readonly output_encoding: OutputEncoding
  readonly read_timeout?: number
  readonly write_timeout?: number
  readonly idle_timeout?: number
  readonly read_header_timeout?: number
  readonly max_header_bytes?: number
  readonly debug_endpoint: boolean
  readonly echo_endpoint: boolean
  readonly router: RouterOptions
  /** The service's middleware namespaces (`security/cors`, ...), by short name, as written. */
  readonly middlewares: MiddlewareBlocks
  readonly endpoints: readonly EndpointConfig[]
  /** How long `sd: "dns"` backends keep a resolved host list, in ms. Default 30000. */
  readonly dns_cache_ttl: number
  /**
   * The deepest nesting a decoded document may have (the `rxgate` namespace's
   * `max_nesting_depth`). Default 10000, as Go's encoding/json.
   */
  readonly max_nesting_depth: number
  /** The Redis connection pools that shared rate limits and caches name (the `redis` namespace, as written). */
  readonly redis: RedisConfig
  /** The service's `telemetry/logging` block, with KrakenD's defaults: the logger's level, format and outputs. */
  readonly logging?: LoggingSettings
  /** The service's `telemetry/opentelemetry` block, as written: metrics and traces. */
  readonly telemetry?: OpenTelemetryOptions
  /** The service's `telemetry/metrics` block, as written: the `/__stats` endpoint. */
  readonly stats?: StatsOptions
  /** The namespaces rxgate does not implement, ignored (with one warning at start-up). */
  readonly ignored_namespaces: readonly string[]
  /** Where the user plugins come from (`loadPlugins`); absent, there are none. */
  readonly plugin?: PluginFolder
}

/** The service's `plugin` key: the modules of `folder` whose file names contain `pattern`. */
export interface PluginFolder {
  /** As written: a relative folder starts at the working directory, as in KrakenD. */
  readonly folder: string
  readonly pattern: string
}

/** The `static` part of the `proxy` namespace of an endpoint. */
export interface StaticProxy {
  readonly strategy: 'always' | 'success' | 'complete' | 'errored' | 'incomplete'
  readonly data: Readonly<Record<string, unknown>>
}

/** One `flatmap_filter` operation. */
export interface FlatmapOperation {
  readonly type: 'move' | 'del' | 'append'
  readonly args: readonly string[]
}

export interface EndpointConfig {
  /** `/users/{id}`: KrakenD's placeholders. */
  readonly endpoint: string
  /** Upper case; default `GET`. */
  readonly method: string
  /** Milliseconds; the service's by default. */
  readonly timeout: number
  /** Seconds; the service's by default. */
  readonly cache_ttl?: number
  /** Default 1. */
  readonly concurrent_calls: number
  /** Client headers passed on to the backends; `['*']` for all. Default: none. */
  readonly input_headers: readonly string[]
  /** Client query strings passed on to the backends; `['*']` for all. Default: none. */
  readonly input_query_strings: readonly string[]
  /** The service's by default. */
  readonly output_encoding: OutputEncoding
  readonly backend: readonly BackendConfig[]
  /** The endpoint's middleware namespaces (`auth/validator`, ...), by short name, as written. */
  readonly middlewares: MiddlewareBlocks
  /** The endpoint's `telemetry/opentelemetry` block, as written. */
  readonly telemetry?: EndpointTelemetryOptions
  readonly proxy: {
    readonly static?: StaticProxy
    readonly sequential: boolean
    readonly flatmap_filter?: readonly FlatmapOperation[]
  }
}

export interface BackendConfig {
  /** At least one origin (`http://users:8080`); the service's `host` by default. */
  readonly host: readonly string[]
  /** `/users/{id}?fields={fields}`. */
  readonly url_pattern: string
  /** Upper case; the endpoint's by default. */
  readonly method: string
  /** Default `json`. */
  readonly encoding: BackendEncoding
  readonly allow?: readonly string[]
  readonly deny?: readonly string[]
  readonly group?: string
  readonly target?: string
  readonly mapping?: Readonly<Record<string, string>>
  readonly is_collection: boolean
  /** The backend's middleware namespaces (`qos/circuit-breaker`, ...), by short name, as written. */
  readonly middlewares: MiddlewareBlocks
  /** The endpoint's by default. */
  readonly input_headers: readonly string[]
  /** The endpoint's by default. */
  readonly input_query_strings: readonly string[]
  readonly disable_host_sanitize: boolean
  /** Default `static`. With `dns`, each `host` is a DNS SRV name resolved into the hosts to balance. */
  readonly sd: 'static' | 'dns'
  /** The scheme of the hosts DNS SRV gives. Default `http`. */
  readonly sd_scheme: 'http' | 'https'
  readonly http: {
    /** The key under which this backend's error details are returned. */
    readonly return_error_details?: string
    readonly return_error_code: boolean
  }
  /** The backend's `telemetry/opentelemetry` block, as written. */
  readonly telemetry?: BackendTelemetryOptions
  readonly proxy: {
    readonly shadow: boolean
    readonly flatmap_filter?: readonly FlatmapOperation[]
  }
}
