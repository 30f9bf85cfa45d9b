import type { OperatorFunction } from 'rxjs'
import { perRequest } from '../../operators/per-request.js'
import { labelSource } from '../../operators/source-label.js'
import type { GatewayRequest } from '../request.js'
import { httpCall } from './call.js'
import type { BackendOptions } from './options.js'
import type { RawResponse } from './raw.js'

/**
 * A backend as an operator: each incoming request becomes one HTTP call whose decoded body is
 * emitted; calls run concurrently, as `mergeMap` runs them (fan-outs call it directly: see
 * `perRequest`). Use it as a `fanOut` source, where a failed call becomes a failed part.
 * Unsubscribing aborts the calls in flight. With `encoding: 'no-op'` each call emits a
 * {@link RawResponse} (status, headers, streaming body) instead: see `httpCall`.
 *
 * @example
 * fanOut({
 *   user: backend('http://users:8080/users/{id}', { allow: ['name', 'email'] }),
 *   cart: backend('http://carts:8080/carts/{id}', { headers: ['Authorization'] }),
 * })
 */
export function backend(url: string, options: BackendOptions & { readonly encoding: 'no-op' }): OperatorFunction<GatewayRequest, RawResponse>
export function backend<T = unknown>(url: string, options?: BackendOptions): OperatorFunction<GatewayRequest, T>
export function backend<T = unknown>(url: string, options?: BackendOptions): OperatorFunction<GatewayRequest, T> {
  // its failures name it in the logs, wherever it sits in a fan-out
  return labelSource(perRequest(httpCall<T>(url, options)), url)
}

export { httpCall } from './call.js'
export { isRawResponse, type RawResponse } from './raw.js'
export { Connections, closeAll } from './connections.js'
export { USER_AGENT } from './forward.js'
export {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_SUCCESS_STATUS,
  type AllowList,
  type BackendEncoding,
  type BackendOptions,
  type BackendTls,
} from './options.js'
export { discovered } from './discovered.js'
export { SrvHosts, type SrvResolver, type SrvOptions } from './srv.js'
