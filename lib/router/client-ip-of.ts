import type { IncomingMessage } from 'node:http'

const CLIENT_IP = Symbol('rxgate.clientIp')

type Tagged = IncomingMessage & { [CLIENT_IP]?: string }

/** Records the client IP the router resolved for a request, before the server middlewares see it. */
export function tagClientIp(req: IncomingMessage, clientIp: string): void {
  ;(req as Tagged)[CLIENT_IP] = clientIp
}

/**
 * The client IP of a raw request, as the router resolves it (KrakenD's `forwarded_by_client_ip`,
 * `remote_ip_headers`, `trusted_proxies`): what a server middleware sees as the client, the same
 * IP an endpoint finds in `request.clientIp`. Outside a gateway, the connection's peer.
 *
 * @example
 * gw.use((next) => (req, res) => { console.log(clientIpOf(req)); next(req, res) })
 */
export function clientIpOf(req: IncomingMessage): string {
  return (req as Tagged)[CLIENT_IP] ?? plain(req.socket.remoteAddress ?? '')
}

function plain(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address
}
