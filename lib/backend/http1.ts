import type { IncomingHttpHeaders } from 'node:http'
import type { BackendTls } from './options.js'
import type { Exchange } from './exchange.js'
import { poolFor } from './pools.js'

/** A redirect's body is read up to this size to keep its connection; a bigger one costs the socket. */
const DISCARD_LIMIT = 64 * 1024

/**
 * HTTP/1.1 through the origin's undici pool. The abort signal goes to undici, which destroys the
 * socket of a request aborted in flight: the backend sees its connection close.
 */
export function http1Exchange(tls?: BackendTls): Exchange {
  return async (request, signal) => {
    const pool = poolFor(request.origin, tls)
    const response = await pool.request({
      path: request.path,
      method: request.method as 'GET',
      headers: request.headers,
      body: request.body ?? null,
      signal,
    })
    const body = response.body
    // An error before the reader attaches (a reset right after the head) must not go unhandled;
    // the reader still sees it.
    body.on('error', ignore)
    return {
      status: response.statusCode,
      headers: response.headers as IncomingHttpHeaders,
      body,
      discard: () => {
        body.dump({ limit: DISCARD_LIMIT }).catch(ignore)
      },
      // undici aborts a request whose body is destroyed before its end, and drops the socket.
      abort: () => {
        if (!body.readableEnded) body.destroy()
      },
    }
  }
}

function ignore(): void {}
