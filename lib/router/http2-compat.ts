import type { IncomingHttpHeaders, OutgoingHttpHeader, OutgoingHttpHeaders } from 'node:http'
import { Http2ServerRequest, Http2ServerResponse, type ServerHttp2Stream } from 'node:http2'
import type { ReadableOptions } from 'node:stream'

const COLON = 0x3a

/**
 * node's HTTP/2 compatibility request (what `req` is when a client speaks HTTP/2), made to read
 * as an HTTP/1.1 one wherever the gateway, its middlewares and its pipelines look: `headers`
 * holds no pseudo-headers (`:method`, `:path`, ...; `method` and `url` still read them), and
 * `host` is the `:authority` the client sent when it sent no `Host`, as Go's `r.Host` is. Made
 * once per request, and only for HTTP/2 ones.
 */
export class GatewayHttp2Request extends Http2ServerRequest {
  /** `headers`, as the gateway reads them. */
  readonly plainHeaders: IncomingHttpHeaders

  constructor(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, options: ReadableOptions, rawHeaders: string[]) {
    super(stream, headers, options, rawHeaders)
    const plain: IncomingHttpHeaders = {}
    for (const name in headers) if (name.charCodeAt(0) !== COLON) plain[name] = headers[name]
    plain.host ??= headers[':authority'] as string | undefined
    this.plainHeaders = plain
  }
}

// node defines `headers` as an accessor on the prototype; so is this one, once for every request
Object.defineProperty(GatewayHttp2Request.prototype, 'headers', {
  get(this: GatewayHttp2Request) {
    return this.plainHeaders
  },
})


/**
 * HTTP/1.1's connection headers, which HTTP/2 forbids (RFC 9113 §8.2.2): node's HTTP/2 response
 * throws on them, or warns. Dropped as Go's HTTP/2 server drops them, so that code written for
 * node:http (a middleware sending `Connection: close`) answers over HTTP/2 too.
 */
const CONNECTION_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'http2-settings'])

function isConnectionHeader(name: string, value: unknown): boolean {
  const lower = name.toLowerCase()
  return CONNECTION_HEADERS.has(lower) || (lower === 'te' && String(value).toLowerCase() !== 'trailers')
}

/**
 * node's HTTP/2 compatibility response, with what the gateway relies on from node:http's
 * `ServerResponse`: `destroyed`, `writableFinished` false for an answer the client reset, and
 * connection headers dropped rather than thrown on.
 */
export class GatewayHttp2Response extends Http2ServerResponse {
  override setHeader(name: string, value: number | string | readonly string[]): void {
    if (!isConnectionHeader(name, value)) super.setHeader(name, value)
  }

  override appendHeader(name: string, value: string | string[]): void {
    if (!isConnectionHeader(name, value)) super.appendHeader(name, value)
  }

  override writeHead(status: number, ...rest: unknown[]): this {
    const last = rest.length - 1
    const headers = rest[last]
    if (last >= 0 && typeof headers === 'object' && headers !== null && !Array.isArray(headers)) {
      rest[last] = withoutConnectionHeaders(headers as OutgoingHttpHeaders)
    }
    return (super.writeHead as (status: number, ...rest: unknown[]) => this)(status, ...rest)
  }
}

Object.defineProperties(GatewayHttp2Response.prototype, {
  // node:http's `destroyed`, which node's HTTP/2 response lacks: its stream's
  destroyed: {
    get(this: GatewayHttp2Response) {
      return this.stream.destroyed
    },
  },
  // as node:http's: false for an answer cut short (node's HTTP/2 stream says finished once a reset has closed it)
  writableFinished: {
    get(this: GatewayHttp2Response) {
      return this.stream.writableFinished && !this.stream.rstCode
    },
  },
})

/** The headers as they are when none is a connection header (the usual case: no copy), else a copy without them. */
function withoutConnectionHeaders(headers: OutgoingHttpHeaders): OutgoingHttpHeaders {
  let clean: Record<string, OutgoingHttpHeader | undefined> | undefined
  for (const name in headers) {
    if (!isConnectionHeader(name, headers[name])) continue
    clean ??= { ...headers }
    delete clean[name]
  }
  return clean ?? headers
}
