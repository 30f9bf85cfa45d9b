import type { IncomingMessage } from 'node:http'
import type { Connections } from '../backend/connections.js'
import { CONNECTIONS, RequestContext, type GatewayRequest } from '../request.js'

/** The client request as pipelines see it: no node:http types past this point. */
export function toGatewayRequest(
  req: IncomingMessage,
  path: string,
  search: string,
  params: Readonly<Record<string, string>>,
  clientIp: string,
  connections: Connections,
  body: Buffer | undefined,
): GatewayRequest {
  return {
    method: req.method ?? 'GET',
    path,
    params,
    query: new URLSearchParams(search),
    headers: req.headers,
    clientIp,
    ...(body ? { body } : {}),
    context: new RequestContext(),
    [CONNECTIONS]: connections,
  }
}
