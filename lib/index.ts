/** rxgate's programmatic API: the gateway, backends, and the request and error types. */
export { Gateway, gateway, type GatewayOptions, type RouteOptions } from './gateway.js'
export { backend, httpCall, closeAll, type BackendOptions } from './backend/index.js'
export type { Pipeline } from './router/endpoint.js'
export type { GatewayRequest, Headers } from './request.js'
export { jsonEncoder, type Encode, type Schema } from './codec/json-encoder.js'
export { RxgateError, ErrorCodes, errorCode, type ErrorCode } from './errors.js'
export { createLogger, type Logger } from './logger.js'
export { VERSION } from './version.js'
