import { Gateway, type GatewayOptions } from '../gateway.js'
import type { Logger } from '../logger.js'
import type { Duration } from '../../operators/duration.js'
import type { GatewayConfig } from '../config/types.js'
import { KeptState } from '../middleware/kept-state.js'
import { serverMiddlewares } from '../middleware/registry.js'
import { RedisPools } from '../redis/pools.js'
import { serverTlsOptions } from '../tls/server-tls.js'
import type { Plugins } from '../plugins/plugins.js'
import { BUILTIN_METHODS, debug, echo } from '../router/builtins.js'
import { compileEndpoint } from './compile-endpoint.js'
import { combineTelemetry } from '../telemetry/combined.js'
import { TELEMETRY_OFF, type Telemetry } from '../telemetry/hooks.js'
import { KrakendStats } from '../telemetry/krakend-stats.js'
import { OpenTelemetry } from '../telemetry/open-telemetry.js'

export interface CompileOptions {
  readonly logger: Logger
  /** `rxgate run -d`: the debug endpoint even when the file does not ask for it. */
  readonly debug?: boolean
  /** What loading the configuration found to say (`loadConfig`'s `warnings`): logged once, here. */
  readonly warnings?: readonly string[]
  /** The user plugins the file's `plugin/*` namespaces use: `await loadPlugins(config)`. */
  readonly plugins?: Plugins
  /**
   * The gateway serving now, when the file is reloaded: the new gateway is its `successor()`, to
   * `swap()` into it, and keeps the state of the middlewares whose blocks did not change (rate
   * limit buckets, circuit breakers, cache buckets; the Redis pools when `redis` did not change).
   */
  readonly replacing?: Gateway
  /** How long `close()` waits for requests in flight (`rxgate run --shutdown-timeout`). Default 10 s. */
  readonly shutdownTimeout?: Duration
}

/** The kept state of the configuration each gateway serves, for the one that replaces it. */
const keptStates = new WeakMap<Gateway, KeptState>()

/**
 * A whole configuration compiled into a gateway, once, at start-up: the service's server
 * middlewares, one route per endpoint (`compileEndpoint`: its pipeline with its middlewares, its
 * renderer), plus the built-in endpoints the file asks for.
 */
export function compileGateway(config: GatewayConfig, options: CompileOptions): Gateway {
  const { replacing } = options
  const state = replacing ? (keptStates.get(replacing) ?? KeptState.fresh()).successor() : KeptState.fresh()
  try {
    return compileWith(config, options, state)
  } catch (error) {
    // what it made for itself goes; what it took from the gateway serving now stays there
    void state.release()
    throw error
  }
}

function compileWith(config: GatewayConfig, options: CompileOptions, state: KeptState): Gateway {
  const { replacing } = options
  for (const warning of options.warnings ?? []) options.logger.warn(warning)
  const { router } = config
  const settings: Omit<GatewayOptions, 'logger' | 'telemetry'> = {
    timeout: config.timeout,
    healthPath: router.disable_health ? false : router.health_path,
    accessLog: !router.disable_access_log,
    accessLogSkip: router.logger_skip_paths,
    autoOptions: router.auto_options,
    removeExtraSlash: router.remove_extra_slash,
    redirectTrailingSlash: !router.disable_redirect_trailing_slash,
    redirectFixedPath: !router.disable_redirect_fixed_path,
    methodNotAllowed: !router.disable_handle_method_not_allowed,
    clientIp: {
      forwardedByClientIp: router.forwarded_by_client_ip,
      remoteIpHeaders: router.remote_ip_headers,
      trustedProxies: router.trusted_proxies,
    },
    http: {
      ...(config.read_timeout === undefined ? {} : { requestTimeout: config.read_timeout }),
      ...(config.read_header_timeout === undefined ? {} : { headersTimeout: config.read_header_timeout }),
      ...(config.idle_timeout === undefined ? {} : { keepAliveTimeout: config.idle_timeout }),
      ...(config.max_header_bytes === undefined ? {} : { maxHeaderSize: config.max_header_bytes }),
    },
    // the certificate files are read here, once
    ...(config.tls ? { tls: serverTlsOptions(config.tls) } : {}),
    ...(config.use_h2c ? { h2c: true } : {}),
    ...(options.shutdownTimeout === undefined ? {} : { shutdownTimeout: options.shutdownTimeout }),
  }
  const gateway = replacing ? replacing.successor(settings) : new Gateway({ ...settings, logger: options.logger, telemetry: telemetryOf(config) })
  keptStates.set(gateway, state)
  const redis = state.keep(`redis ${JSON.stringify(config.redis ?? {})}`, () => new RedisPools(config.redis, options.logger), (pools) => pools.close())
  gateway
    .beforeListen(() => redis.connected())
    .beforeListen(async () => {
      // it serves: what it kept is its own, and the next reload takes it from here
      state.adopt()
      if (replacing) keptStates.set(replacing, state)
    })
    .onClose(() => state.release())
  const resources = { logger: options.logger, redis, state, ...(options.plugins ? { plugins: options.plugins } : {}) }
  for (const middleware of serverMiddlewares(config.middlewares, { ...resources, at: 'service' })) gateway.use(middleware)
  for (const endpoint of config.endpoints) {
    const compiled = compileEndpoint(endpoint, config, resources)
    gateway.route(endpoint.method, endpoint.endpoint, compiled.pipeline, {
      // The backends' deadline is the endpoint's timeout, which answers with what arrived; the
      // route's own deadline is only the last resort behind it.
      timeout: endpoint.timeout + 1000,
      render: compiled.render,
      // rxgate's own operators schedule nothing that could throw outside the pipeline; a plugin may.
      trace: compiled.runsPlugins,
      ...(endpoint.telemetry ? { telemetry: endpoint.telemetry } : {}),
    })
  }
  for (const method of BUILTIN_METHODS) {
    if (config.echo_endpoint) gateway.route(method, '/__echo/*', echo(), { trace: false })
    if (config.debug_endpoint || options.debug) gateway.route(method, '/__debug/*', debug(options.logger), { trace: false })
  }
  return gateway
}

/** The file's telemetry: `telemetry/opentelemetry`, `telemetry/metrics` (/__stats), both, or none. */
function telemetryOf(config: GatewayConfig): Telemetry {
  const otel = config.telemetry ? new OpenTelemetry(config.telemetry, { serviceName: config.name }) : TELEMETRY_OFF
  return combineTelemetry(otel, config.stats ? new KrakendStats(config.stats) : TELEMETRY_OFF)
}
