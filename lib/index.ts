/** rxgate's programmatic API: the gateway, backends, KrakenD configurations, and the request and error types. */
export { Gateway, gateway, type GatewayOptions, type RouteOptions, type SwapOptions } from './gateway.js'
export type { NodeHandler } from './adapters/node-handler.js'
export {
  backend,
  httpCall,
  closeAll,
  discovered,
  SrvHosts,
  type BackendOptions,
  type BackendEncoding,
  type RawResponse,
} from './backend/index.js'
export { loadConfig, checkConfig } from './config/index.js'
export type { GatewayConfig, EndpointConfig, BackendConfig } from './config/types.js'
export { compileGateway, type CompileOptions } from './pipeline/compile.js'
export { Reloader, type ReloaderOptions } from './reload/reloader.js'
export { logReload, type ReloadOutcome } from './reload/outcome.js'
export { compileEndpoint, type CompiledEndpoint } from './pipeline/compile-endpoint.js'
export { endpointPipeline, type ServiceSettings } from './pipeline/endpoint-pipeline.js'
export { renderFor, type RenderOptions, type RenderEncoding } from './codec/render.js'
export { jsonChecker, PASS_STREAM_THRESHOLD, type JsonChecker } from './codec/json-check.js'
export { PassedDocument } from './backend/passed-document.js'
export { CheckedJson, checkedJsonDecoder } from './codec/checked-json.js'
export type { Pipeline } from './router/endpoint.js'
export { errorReply, type Reply, type Render } from './router/reply.js'
export { guardProcess, escapedErrors } from './router/guard-process.js'
export { compileClientIp, type ClientIpOptions } from './router/client-ip.js'
export { RequestContext, type GatewayRequest, type Headers } from './request.js'
export type {
  BackendMiddleware,
  BackendSource,
  EndpointMiddleware,
  HttpHandler,
  MiddlewareContext,
  MiddlewareDefinition,
  MiddlewareResources,
  ServerMiddleware,
} from './middleware/types.js'
export { RedisPools, type RedisConfig, type RedisPoolConfig } from './redis/pools.js'
export { EXECUTION_ORDER } from './middleware/registry.js'
export { jwtValidator, sharedJwkCache, type JwtValidatorOptions, type SharedJwkCacheOptions } from './middleware/jwt-validator.js'
export { jwtSigner, type JwtSignerOptions } from './middleware/jwt-signer.js'
export { rateLimit } from './middleware/rate-limit.js'
export { serviceRateLimit } from './middleware/service-rate-limit.js'
export { backendRateLimit } from './middleware/backend-rate-limit.js'
export { redisRateLimit, serviceRedisRateLimit, type RedisRateLimitOptions, type RedisRateLimitContext } from './middleware/redis-rate-limit.js'
export type { RateLimitOptions, BackendRateLimitOptions, ClientStrategy } from './middleware/rate-limit-options.js'
export { TokenBucket, type TokenBucketOptions } from './middleware/token-bucket.js'
export { ClientBuckets, type ClientBucketsOptions } from './middleware/client-buckets.js'
export { clientIpOf } from './router/client-ip-of.js'
export { clientCredentials, type ClientCredentialsOptions } from './middleware/client-credentials.js'
export { httpCache, type HttpCacheOptions } from './middleware/http-cache.js'
export { circuitBreaker, type CircuitBreakerOptions } from './middleware/circuit-breaker.js'
export { cors, type CorsOptions } from './middleware/cors.js'
export { httpSecurity, type HttpSecurityOptions } from './middleware/http-security.js'
export { botDetector, endpointBotDetector, compileBotDetector, type BotDetectorOptions, type BotDecision } from './middleware/bot-detector.js'
export { httpServerPlugins, type HttpServerPluginsOptions } from './middleware/plugin-http-server.js'
export { endpointModifierPlugins, backendModifierPlugins, type ModifierPluginsOptions } from './middleware/plugin-modifiers.js'
export { httpClientPlugin, type HttpClientPluginOptions } from './middleware/plugin-http-client.js'
export { definePlugin, type Plugin, type PluginContext, type PluginFactory, type PluginKind } from './plugins/contract.js'
export { Plugins, type RegisteredPlugin } from './plugins/plugins.js'
export { loadPlugins, loadPluginFolder, type LoadPluginsOptions } from './plugins/load.js'
export type { PluginFolder } from './config/types.js'
export { jsonEncoder, stringifyJson, type Encode, type Schema } from './codec/json-encoder.js'
export { parseJson } from './codec/parse-json.js'
export { DEFAULT_MAX_NESTING_DEPTH } from './codec/depth.js'
export { RxgateError, ErrorCodes, errorCode, errorPolicy, clientMessage, type ErrorCode, type ErrorPolicy } from './errors.js'
export { createLogger, type Logger } from './logger.js'
export { VERSION } from './version.js'
export { OpenTelemetry } from './telemetry/open-telemetry.js'
export { KrakendStats } from './telemetry/krakend-stats.js'
export { combineTelemetry } from './telemetry/combined.js'
export { TELEMETRY_OFF, type Telemetry, type EndpointTelemetry, type RunTelemetry, type CallTelemetry, type BackendDescription } from './telemetry/hooks.js'
export type { OpenTelemetryOptions, EndpointTelemetryOptions, BackendTelemetryOptions, StatsOptions, StaticAttribute } from './telemetry/settings.js'
