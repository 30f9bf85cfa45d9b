/**
 * What every hand-written contender sends its backends, so that the floors do the work rxgate
 * cannot be told to skip: rxgate, as KrakenD, names the client to every backend
 * (`X-Forwarded-For`, `X-Forwarded-Host`) and itself (`User-Agent`), and asks for a compressed
 * answer (`Accept-Encoding`; nginx here answers uncompressed). Measured on the json floor: 0.96x
 * the req/s, 1.07x the CPU per request, against sending none of them.
 */
import type { IncomingMessage } from 'node:http'

export function forwardedHeaders(req: IncomingMessage): Record<string, string> {
  return {
    'user-agent': 'hand-written/1.0',
    'x-forwarded-for': req.socket.remoteAddress ?? '',
    'x-forwarded-host': req.headers.host ?? '',
    'accept-encoding': 'gzip, deflate, br',
  }
}

/** Headers that concern one connection, never passed on (RFC 9110, 7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade'])

/** A backend's end-to-end headers, as a `no-op` endpoint passes them to its client (KrakenD's rule). */
export function endToEnd(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const name of Object.keys(headers)) {
    const value = headers[name]
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value
  }
  return out
}
