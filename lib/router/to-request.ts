import type { IncomingMessage } from 'node:http'
import type { GatewayRequest } from '../request.js'

/**
 * The client request as pipelines see it: no node:http types past this point. The query is parsed
 * when first read: most endpoints forward none, and URLSearchParams is not free. An own getter,
 * so that a copy (`{ ...request }`) carries the query too.
 */
export function toGatewayRequest(
  req: IncomingMessage,
  path: string,
  search: string,
  params: Readonly<Record<string, string>>,
  body: Buffer | undefined,
): GatewayRequest {
  let query: URLSearchParams | undefined
  return {
    method: req.method ?? 'GET',
    path,
    params,
    get query() {
      return (query ??= new URLSearchParams(search))
    },
    headers: req.headers,
    remoteAddress: req.socket.remoteAddress ?? '',
    ...(body ? { body } : {}),
  }
}
