import type { IncomingMessage } from 'node:http'
import type { GatewayRequest } from '../request.js'

/** The client request as pipelines see it: no node:http types past this point. */
export function toGatewayRequest(
  req: IncomingMessage,
  path: string,
  search: string,
  params: Readonly<Record<string, string>>,
  body: Buffer | undefined,
): GatewayRequest {
  return {
    method: req.method ?? 'GET',
    path,
    params,
    query: new URLSearchParams(search),
    headers: req.headers,
    remoteAddress: req.socket.remoteAddress ?? '',
    ...(body ? { body } : {}),
  }
}
