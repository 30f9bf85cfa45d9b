import type { ClientRequest, IncomingMessage } from 'node:http'
import http2wrapper from 'http2-wrapper'
import { fromReadable } from './body-stream.js'
import type { BackendResponse, Exchange } from './exchange.js'
import type { BackendTls } from './options.js'

/**
 * HTTP/2 through http2-wrapper, behaving like the HTTP/1.1 transport: the same request and
 * response shapes, and aborting the signal resets the stream (the backend sees it closed).
 * `true`: h2c with prior knowledge on `http:`, h2 on `https:`. `'auto'` (for `https:` origins):
 * ALPN picks h2 or HTTP/1.1, and the answer is cached per origin by http2-wrapper.
 */
export function http2Exchange(mode: true | 'auto', tls?: BackendTls): Exchange {
  return (request, signal) =>
    new Promise<BackendResponse>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason)
      const url = request.origin + request.path
      let sent: ClientRequest | undefined
      let received: IncomingMessage | undefined
      signal.onAbort((reason) => {
        if (received) cancel(received)
        else sent?.destroy()
        reject(reason)
      })
      const send = (req: ClientRequest) => {
        sent = req
        // Stays attached after the response. A stream error then (the server resets the stream
        // mid-body) reaches only the request: http2-wrapper's response neither errors nor closes,
        // and would wait for an end that never comes. So it is told, and its reader sees the error.
        req.on('error', (error) => {
          if (!received) reject(error)
          else if (!received.readableEnded) received.emit('error', error)
        })
        req.once('response', (res: IncomingMessage) => {
          received = res
          res.on('error', ignore)
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            ...fromReadable(res),
            discard: () => cancel(res),
            abort: () => cancel(res),
          })
        })
        req.end(request.body)
      }
      const options = { ...tls, method: request.method, headers: request.headers }
      try {
        if (!request.origin.startsWith('https:')) {
          send(http2wrapper.request(url, { ...options, h2session: request.connections.h2cSession(request.origin) }))
        } else if (mode === true) {
          send(http2wrapper.request(url, { ...options, agent: request.connections.http2Agent() }))
        } else {
          const agent = { http2: request.connections.http2Agent(), https: request.connections.httpsFallbackAgent() }
          http2wrapper.auto(url, { ...options, agent }).then((req) => {
            if (!signal.aborted) return send(req)
            req.on('error', ignore)
            req.destroy()
          }, reject)
        }
      } catch (error) {
        reject(error)
      }
    })
}

/**
 * Resets the response's stream. An error must be given: http2-wrapper passes it on to the HTTP/2
 * stream, which then sends RST_STREAM with an error code; a plain `destroy()` closes the stream
 * with NO_ERROR, which a server still sending data does not notice (measured with node:http2).
 * For an HTTP/1.1 answer of `'auto'`, destroying the response closes the socket.
 */
function cancel(res: IncomingMessage): void {
  if (!res.destroyed) res.destroy(new Error('rxgate: backend request cancelled'))
}

function ignore(): void {}
