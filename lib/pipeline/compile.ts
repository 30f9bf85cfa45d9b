import { Gateway } from '../gateway.js'
import type { Logger } from '../logger.js'
import type { EndpointConfig, GatewayConfig } from '../config/types.js'
import { renderFor } from '../codec/render.js'
import { BUILTIN_METHODS, debug, echo } from '../router/builtins.js'
import { endpointPipeline } from './endpoint-pipeline.js'
import { sourceNames } from './source-names.js'
import { passesWhole } from './verbatim.js'

export interface CompileOptions {
  readonly logger: Logger
  /** `rxgate run -d`: the debug endpoint even when the file does not ask for it. */
  readonly debug?: boolean
  /** What loading the configuration found to say (`loadConfig`'s `warnings`): logged once, here. */
  readonly warnings?: readonly string[]
}

/**
 * A whole configuration compiled into a gateway, once, at start-up: one route per endpoint, each
 * with its pipeline and its renderer, plus the built-in endpoints the file asks for.
 */
export function compileGateway(config: GatewayConfig, options: CompileOptions): Gateway {
  for (const warning of options.warnings ?? []) options.logger.warn(warning)
  const { router } = config
  const gateway = new Gateway({
    logger: options.logger,
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
  })
  for (const endpoint of config.endpoints) {
    gateway.route(endpoint.method, endpoint.endpoint, endpointPipeline(endpoint, config), {
      // The backends' deadline is the endpoint's timeout, which answers with what arrived; the
      // route's own deadline is only the last resort behind it.
      timeout: endpoint.timeout + 1000,
      render: renderFor(endpoint.output_encoding, renderOptions(endpoint, config)),
      // rxgate's own operators schedule nothing that could throw outside the pipeline.
      trace: false,
    })
  }
  for (const method of BUILTIN_METHODS) {
    if (config.echo_endpoint) gateway.route(method, '/__echo/*', echo(), { trace: false })
    if (config.debug_endpoint || options.debug) gateway.route(method, '/__debug/*', debug(options.logger), { trace: false })
  }
  return gateway
}

function renderOptions(endpoint: EndpointConfig, config: GatewayConfig) {
  const calls = endpoint.backend.filter((backend) => !backend.proxy.shadow)
  const names = sourceNames(calls)
  const errorDetails = new Map<string, string>()
  calls.forEach((backend, index) => {
    if (backend.http.return_error_details) errorDetails.set(names[index]!, backend.http.return_error_details)
  })
  return {
    ...(endpoint.cache_ttl === undefined ? {} : { cacheTtl: endpoint.cache_ttl }),
    returnErrorMsg: config.router.return_error_msg,
    returnErrorCode: calls.length === 1 && calls[0]!.http.return_error_code,
    errorDetails,
    verbatim: passesWhole(endpoint),
  }
}
