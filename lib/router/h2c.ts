import type { Server } from 'node:http'
import type { Http2Server } from 'node:http2'
import type { Socket } from 'node:net'

/** What an HTTP/2 client sends first on a cleartext connection (RFC 9113 §3.4). */
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')

/**
 * Serves cleartext HTTP/2 (h2c, with prior knowledge) beside HTTP/1.1 on the port of a node:http
 * server, which node does not do by itself: a new connection's first bytes say which protocol it
 * speaks. The HTTP/2 connection preface goes to `http2` (a server that does not listen); anything
 * else to the HTTP/1.1 server, as if it had accepted the connection itself, so that its own
 * handling (timeouts, keep-alive, closing idle connections) is unchanged. A connection that sends
 * nothing for `waitMs` is closed. HTTP/1.1's `Upgrade: h2c` is not taken up: such a request is
 * answered in HTTP/1.1, which the upgrade allows.
 *
 * @example
 * const http1 = http.createServer(handler)
 * const cut = serveH2c(http1, http2.createServer(handler), 60_000)
 * http1.listen(8080)   // curl --http2-prior-knowledge and plain curl both served
 */
export function serveH2c(server: Server, http2: Http2Server, waitMs: number): { cut(): void } {
  const http1 = server.rawListeners('connection') as ((this: Server, socket: Socket) => void)[]
  server.removeAllListeners('connection')
  const waiting = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    waiting.add(socket)
    let seen: Buffer = Buffer.alloc(0)
    const timer = setTimeout(() => socket.destroy(), waitMs)
    const forget = () => {
      clearTimeout(timer)
      waiting.delete(socket)
    }
    const ignore = () => {}
    const read = (chunk: Buffer) => {
      seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk])
      const length = Math.min(seen.length, PREFACE.length)
      const isHttp2 = seen.subarray(0, length).equals(PREFACE.subarray(0, length))
      // the start of the preface: wait for the rest of it
      if (isHttp2 && seen.length < PREFACE.length) return
      forget()
      socket.off('data', read).off('close', forget).off('error', ignore)
      socket.pause()
      socket.unshift(seen)
      if (isHttp2) return void http2.emit('connection', socket)
      for (const listener of http1) listener.call(server, socket)
      socket.resume()
    }
    // until the socket has its server, whose own listener takes its errors (a reset before a byte was sent)
    socket.on('error', ignore).on('data', read).once('close', forget)
  })
  return {
    cut: () => {
      for (const socket of waiting) socket.destroy()
    },
  }
}
