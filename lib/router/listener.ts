import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { Http2ServerResponse, createSecureServer, createServer as createHttp2Server, type Http2SecureServer, type Settings } from 'node:http2'
import type { AddressInfo, Socket } from 'node:net'
import type { TlsOptions } from 'node:tls'
import { serveH2c } from './h2c.js'
import { GatewayHttp2Request, GatewayHttp2Response } from './http2-compat.js'
import { Http2Sessions } from './http2-sessions.js'
import { InFlight } from './in-flight.js'

/** What a gateway listens with. */
export interface ListenerOptions {
  /** HTTPS with these node:tls server options (`key`, `cert`, ...): HTTP/2 when the client offers it (ALPN), HTTP/1.1 otherwise. */
  readonly tls?: TlsOptions | undefined
  /** Cleartext HTTP/2 for clients that know the server speaks it (prior knowledge), beside HTTP/1.1. With `tls`, ALPN decides instead. */
  readonly h2c?: boolean | undefined
  /** Limits and timeouts: node:http's, applied to HTTP/1.1 connections; the idle time and header size to HTTP/2 ones too. */
  readonly http: Readonly<{ requestTimeout?: number; headersTimeout?: number; keepAliveTimeout?: number; maxHeaderSize?: number }>
}

/**
 * Every request, whichever protocol carried it. Over HTTP/2 they are node's compatibility objects
 * (`GatewayHttp2Request`, `GatewayHttp2Response`), which answer to node:http's API for what the
 * gateway uses.
 */
export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void

/**
 * A connection that failed outside any request: a malformed HTTP/1.1 request, a TLS handshake
 * refused, a broken HTTP/2 session (whose socket may be gone already).
 */
export type ClientErrorListener = (error: Error & { code?: string }, socket: Socket | undefined) => void

/** The server of a gateway, whatever it speaks. */
export interface Listener {
  /**
   * The node server that listens: node:http's, or node:http2's secure one, which reads the limits
   * of its HTTP/1.1 connections (`requestTimeout`, `headersTimeout`, `keepAliveTimeout`) as node:http's.
   */
  readonly server: Server
  listen(port: number, host?: string): Promise<AddressInfo>
  /**
   * Stops accepting: idle HTTP/1.1 connections are closed, HTTP/2 ones told to go away (GOAWAY),
   * their streams in flight left to finish. Resolves once every connection has closed.
   */
  stop(): Promise<void>
  /** Cuts every connection left. */
  cut(): void
}

/** node:http's keep-alive idle time, which an HTTP/2 server with `allowHTTP1` leaves unset (no limit at all). */
const KEEP_ALIVE_MS = 5_000
/** node:http's default wait for a request's headers; a cleartext connection waits as long for its first bytes. */
const HEADERS_MS = 60_000

/**
 * The server a gateway listens with: plain HTTP/1.1 (node:http, nothing in between); with `h2c`,
 * HTTP/1.1 and cleartext HTTP/2 on one port (the first bytes of a connection tell them apart);
 * with `tls`, HTTPS where ALPN picks HTTP/2 or HTTP/1.1 (node:http2's `allowHTTP1`).
 *
 * @example
 * const listener = createListener({ tls: { key, cert }, http: {} }, (req, res) => res.end('hi'), (error, socket) => socket.destroy())
 * await listener.listen(8443)   // curl --http2 https://localhost:8443/ and curl --http1.1 both served
 */
export function createListener(options: ListenerOptions, onRequest: RequestListener, onClientError: ClientErrorListener): Listener {
  const { http } = options
  const http2 = {
    Http2ServerRequest: GatewayHttp2Request,
    Http2ServerResponse: GatewayHttp2Response as typeof Http2ServerResponse,
    ...(http.maxHeaderSize ? { settings: { maxHeaderListSize: http.maxHeaderSize } satisfies Settings } : {}),
  }
  if (options.tls) {
    // noDelay as node:http's server: small answers leave at once rather than wait for an ACK (Nagle)
    const server = createSecureServer({ ...options.tls, ...http2, allowHTTP1: true, noDelay: true }, onRequest as never)
    http1Limits(server, http)
    // node:http's defaults, which its HTTP/1.1 connections here would otherwise go without
    const asHttp1 = server as Http2SecureServer & { keepAliveTimeout?: number; requireHostHeader?: boolean; maxHeaderSize?: number }
    asHttp1.keepAliveTimeout ??= KEEP_ALIVE_MS
    asHttp1.requireHostHeader = true
    if (http.maxHeaderSize) asHttp1.maxHeaderSize = http.maxHeaderSize
    server.on('clientError', onClientError)
    server.on('sessionError', (error, session) => onClientError(error, session.socket as Socket | undefined))
    const sessions = new Http2Sessions(server, http.keepAliveTimeout)
    const sockets = new InFlight<Socket>()
    server.on('connection', (socket: Socket) => {
      const entry = sockets.add(socket)
      socket.once('close', () => sockets.remove(entry))
    })
    return listening(server, () => sessions.goAway(), () => {
      sessions.cut()
      for (const socket of sockets) socket.destroy()
    })
  }
  const server = createServer({ ...(http.maxHeaderSize ? { maxHeaderSize: http.maxHeaderSize } : {}) }, onRequest)
  http1Limits(server, http)
  server.on('clientError', onClientError)
  if (!options.h2c) return listening(server, () => server.closeIdleConnections(), () => server.closeAllConnections())
  const h2c = createHttp2Server(http2, onRequest as never)
  h2c.on('sessionError', (error, session) => onClientError(error, session.socket as Socket | undefined))
  const sessions = new Http2Sessions(h2c, http.keepAliveTimeout)
  const preface = serveH2c(server, h2c, http.headersTimeout ?? HEADERS_MS)
  return listening(
    server,
    () => {
      server.closeIdleConnections()
      sessions.goAway()
    },
    () => {
      server.closeAllConnections()
      preface.cut()
      sessions.cut()
    },
  )
}

function http1Limits(server: Server | Http2SecureServer, http: ListenerOptions['http']): void {
  const target = server as { requestTimeout?: number; headersTimeout?: number; keepAliveTimeout?: number }
  if (http.requestTimeout !== undefined) target.requestTimeout = http.requestTimeout
  if (http.headersTimeout !== undefined) target.headersTimeout = http.headersTimeout
  if (http.keepAliveTimeout !== undefined) target.keepAliveTimeout = http.keepAliveTimeout
}

function listening(server: Server | Http2SecureServer, closeIdle: () => void, cut: () => void): Listener {
  return {
    server: server as Server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => {
          server.off('error', reject)
          resolve(server.address() as AddressInfo)
        })
      }),
    stop: () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      closeIdle()
      return closed
    },
    cut,
  }
}
