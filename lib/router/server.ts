import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { TlsOptions } from 'node:tls'
import type { Connections } from '../backend/connections.js'
import { accessLogOf, type Logger } from '../logger.js'
import { ErrorCodes, RxgateError, isRefusal } from '../errors.js'
import type { HttpHandler, ServerMiddleware } from '../middleware/types.js'
import { compileClientIp, type ClientIp, type ClientIpOptions } from './client-ip.js'
import { tagClientIp } from './client-ip-of.js'
import { EndpointRun } from './endpoint-run.js'
import { InFlight, type InFlightEntry } from './in-flight.js'
import { createListener, type Listener } from './listener.js'
import { completedOf, errorReply, writeReply, type Reply } from './reply.js'
import type { Endpoint } from './endpoint.js'
import { carriesBody, readBody } from './read-body.js'
import type { Lookup, Routes } from './routes.js'
import { toGatewayRequest } from './to-request.js'
import type { Telemetry } from '../telemetry/hooks.js'

export interface ServerOptions {
  readonly routes: Routes<Endpoint>
  readonly logger: Logger
  /** Path of the health endpoint, or false for none. */
  readonly healthPath: string | false
  /** One log line per request. */
  readonly accessLog: boolean
  /** Paths whose requests are not logged (health checks, say). */
  readonly accessLogSkip: ReadonlySet<string>
  /** Answer OPTIONS requests with the route's methods in `Allow`. */
  readonly autoOptions: boolean
  /** Read `//` in paths as `/` before routing. */
  readonly removeExtraSlash: boolean
  /** Redirect `/a/` to `/a` (or back) when only the other one has a route. */
  readonly redirectTrailingSlash: boolean
  /** Redirect a path that matches a route but for letter case to the route's own (`/StAtic` → `/static`). */
  readonly redirectFixedPath: boolean
  /** Where the client's IP comes from (KrakenD's `forwarded_by_client_ip`, ...). */
  readonly clientIp: ClientIpOptions
  /** The backend connections of this server's requests. */
  readonly connections: Connections
  /** Errors that escape a request are caught at process level (`guardProcess`): each request's callbacks are traced to it. */
  readonly guardProcess: boolean
  /** Around every request, before routing, outermost first (`gateway.use`). */
  readonly middlewares: readonly ServerMiddleware[]
  /** 405 with `Allow` when the path has routes for other methods; 404 otherwise. */
  readonly methodNotAllowed: boolean
  /** Metrics and traces (`TELEMETRY_OFF` when none): told of every exchange's end. */
  readonly telemetry: Telemetry
  /** HTTPS with these node:tls server options: HTTP/2 or HTTP/1.1, as the client's ALPN asks. */
  readonly tls?: TlsOptions | undefined
  /** Cleartext HTTP/2 (prior knowledge) beside HTTP/1.1 on the same port. */
  readonly h2c?: boolean | undefined
  /** node:http server limits and timeouts. */
  readonly http: Readonly<{
    requestTimeout?: number
    headersTimeout?: number
    keepAliveTimeout?: number
    maxHeaderSize?: number
  }>
}

const EXTRA_SLASHES = /\/{2,}/g

/** Node 20's own deadlines, for a reload whose file no longer sets them. */
const NODE_TIMEOUTS = { requestTimeout: 300_000, headersTimeout: 60_000, keepAliveTimeout: 5_000 }

/**
 * The routes and everything made from the router's settings, which a reload swaps (`swap`): each
 * request keeps the one it arrived under, whatever is swapped in before it is answered.
 */
interface Generation {
  readonly options: ServerOptions
  readonly clientIp: ClientIp
  /** The server middlewares around routing, composed once. */
  readonly handler: HttpHandler
  /** Its exchanges not yet closed. */
  inFlight: number
  /** Set once swapped out: called when its last exchange has closed. */
  retired: (() => void) | undefined
}

/** One request while it is in flight: what the stages after the middlewares and the access log need. */
interface Exchange {
  readonly started: number
  /** The path as routed (without the query; `//` folded when the router says so). */
  readonly path: string
  readonly search: string
  readonly clientIp: string
  /** Its endpoint's run, once it has one: cancelled when the client goes away first. */
  run: EndpointRun | undefined
  /** The host app's `next`, for a request that came through `gateway.handler()`: takes it when no route does. */
  readonly next: (() => void) | undefined
  /** The routes and settings it arrived under. */
  readonly generation: Generation
  /** Still in flight when the drain's deadline passed, and cut. */
  cut: boolean
  readonly res: ServerResponse
}

/** Where a response's exchange is found, from the server middlewares' `(req, res)` to the router. */
const IN_FLIGHT = Symbol('rxgate.inFlight')
type Followed = ServerResponse & { [IN_FLIGHT]?: InFlightEntry<Exchange> }

/**
 * The HTTP front: routes each request to its endpoint, runs the endpoint's pipeline, writes the
 * answer, and cancels the pipeline when the client goes away. Knows how to close gracefully.
 */
export class GatewayServer {
  private readonly listener: Listener
  /** The node server that listens, whose HTTP/1.1 limits (`requestTimeout`, ...) are node:http's. */
  private readonly server: Server
  /** Every exchange not yet closed. */
  private readonly inFlight = new InFlight<Exchange>()
  /** The routes and settings new requests get. */
  private current: Generation
  private drained: (() => void) | undefined
  private closed = false
  private readonly accessLog: Logger

  constructor(private options: ServerOptions) {
    this.current = this.generationOf(options)
    this.accessLog = accessLogOf(options.logger)
    options.telemetry.observeActive(() => this.inFlight.size)
    const { tls, h2c, http } = options
    this.listener = createListener({ tls, h2c, http }, (req, res) => this.handle(req, res, undefined), (error, socket) => this.refused(error, socket))
    this.server = this.listener.server
  }

  listen(port: number, host?: string): Promise<AddressInfo> {
    return this.listener.listen(port, host)
  }

  /** A connection that failed outside any request: a malformed HTTP/1.1 request gets a 400; a refused TLS handshake or a broken HTTP/2 session is closed. */
  private refused(error: Error & { code?: string }, socket: Socket | undefined): void {
    const code = error.code ?? ''
    if (code.startsWith('HPE_') || code.startsWith('ERR_HTTP')) {
      if (socket?.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
      this.options.logger.debug({ err: error }, 'malformed client request')
      return
    }
    socket?.destroy()
    this.options.logger.debug({ code, reason: error.message, ip: socket?.remoteAddress }, 'connection closed outside any request (a TLS handshake, an HTTP/2 session)')
  }

  /**
   * Serves new requests with other routes, server middlewares and router settings, in one step:
   * a request already received finishes with the ones it arrived under. The listener, its
   * connections and `maxHeaderSize` stay; the deadlines of `http` apply to the requests to come.
   * Resolves once the last request of the old routes has closed.
   */
  swap(options: ServerOptions): Promise<void> {
    const old = this.current
    this.options = options
    this.current = this.generationOf(options)
    const { requestTimeout, headersTimeout, keepAliveTimeout } = options.http
    this.server.requestTimeout = requestTimeout ?? NODE_TIMEOUTS.requestTimeout
    this.server.headersTimeout = headersTimeout ?? NODE_TIMEOUTS.headersTimeout
    this.server.keepAliveTimeout = keepAliveTimeout ?? NODE_TIMEOUTS.keepAliveTimeout
    if (old.inFlight === 0) return Promise.resolve()
    return new Promise((resolve) => (old.retired = resolve))
  }

  private generationOf(options: ServerOptions): Generation {
    const routed: HttpHandler = (req, res) => this.route(req, res)
    const handler = options.middlewares.reduceRight<HttpHandler>((next, middleware) => middleware(next), routed)
    return { options, clientIp: compileClientIp(options.clientIp), handler, inFlight: 0, retired: undefined }
  }

  /** Stops accepting, lets in-flight requests finish for up to `grace` ms, then cuts what is left. */
  async close(grace: number): Promise<void> {
    this.closed = true
    // no new connections; idle ones closed, HTTP/2 ones told to go away (GOAWAY)
    const closed = this.listener.stop()
    const draining = this.inFlight.size
    this.options.logger.info({ requests: draining, graceMs: grace }, `draining ${plural(draining, 'request')}`)
    if (this.inFlight.size > 0) {
      const drained = new Promise<void>((resolve) => (this.drained = resolve))
      let timer: NodeJS.Timeout | undefined
      const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, grace)))
      await Promise.race([drained, expired])
      clearTimeout(timer)
    }
    if (this.inFlight.size > 0) {
      this.options.logger.warn({ requests: this.inFlight.size, graceMs: grace }, `the drain's ${grace}ms passed: cutting ${plural(this.inFlight.size, 'request')}`)
      for (const exchange of this.inFlight) exchange.cut = true
    }
    // What is left of requests another server received (`serve`): cut, as this server's connections.
    for (const { res } of this.inFlight) res.destroy()
    this.listener.cut()
    await closed
  }

  /**
   * Serves a request that another server received (`gateway.handler()`): the same stages as this
   * server's own. `next`, the host app's, takes a request no route matches; without it, rxgate
   * answers it (404, 405, a redirect). Once closing, every request gets a 503.
   */
  serve(req: IncomingMessage, res: ServerResponse, next?: () => void): void {
    if (this.closed) return writeReply(res, errorReply(new RxgateError(ErrorCodes.CLOSED, 'the gateway is closed')))
    this.handle(req, res, next)
  }

  /**
   * Every request, in named stages:
   * 1. on request: the server middlewares, outermost first; any may answer by itself;
   * 2. route (`route`): the path's endpoint, else the host app's `next` (`serve`), or a redirect,
   *    405, 404 (`unrouted`);
   * 3. body: read up to the endpoint's limit, for methods that carry one;
   * 4. pipeline (`EndpointRun`): the endpoint's pipeline, wrapped in its endpoint middlewares,
   *    its backends' sources in their backend middlewares (lib/middleware/registry.ts);
   * 5. before sending: the renderer's reply, plus the headers the request's context gathered;
   * 6. after the response: the access log, and the drain of a closing server.
   * Whatever throws in any of them ends this request alone, never the process.
   */
  private handle(req: IncomingMessage, res: ServerResponse, next: (() => void) | undefined): void {
    const generation = this.current
    this.watch(req, res, next, generation)
    try {
      generation.handler(req, res)
    } catch (error) {
      this.crash(req, res, error)
    }
  }

  /** Handling a request threw before its pipeline could answer: a 500, or the connection cut once an answer started. */
  private crash(req: IncomingMessage, res: ServerResponse, error: unknown): void {
    this.options.logger.error({ err: error, code: ErrorCodes.INTERNAL, path: req.url }, 'the request could not be handled')
    if (res.headersSent || res.destroyed) res.destroy()
    else writeReply(res, errorReply(new RxgateError(ErrorCodes.INTERNAL, 'the request could not be handled', {}, { cause: error })))
  }

  /** Follows an exchange from its start to its close, whoever answers it: the drain and the access log (stage 6). */
  private watch(req: IncomingMessage, res: ServerResponse, next: (() => void) | undefined, generation: Generation): void {
    const url = req.url ?? '/'
    const mark = url.indexOf('?')
    const raw = mark === -1 ? url : url.slice(0, mark)
    const { options } = generation
    const exchange: Exchange = {
      started: performance.now(),
      path: options.removeExtraSlash ? raw.replace(EXTRA_SLASHES, '/') : raw,
      search: mark === -1 ? '' : url.slice(mark + 1),
      clientIp: generation.clientIp(req.socket.remoteAddress, req.headers),
      run: undefined,
      next,
      generation,
      cut: false,
      res,
    }
    const entry = this.inFlight.add(exchange)
    ;(res as Followed)[IN_FLIGHT] = entry
    generation.inFlight++
    // the server middlewares see the client the router sees (a service rate limit)
    tagClientIp(req, exchange.clientIp)
    // `on`, not `once`: a response closes once, and `once` wraps every listener.
    res.on('close', () => {
      // Passed on to the host app (`pass`): its answer is the app's, and so is its log.
      if (!this.inFlight.remove(entry)) return
      this.leave(generation)
      // Closed before the answer (the client went away): cancel every backend call in flight.
      exchange.run?.cancel()
      const { telemetry } = this.options
      if (telemetry.on) telemetry.exchangeEnded(exchange.run?.endpoint.telemetry, req.method ?? 'GET', res.statusCode, (performance.now() - exchange.started) / 1000, exchange.path)
      if (this.inFlight.size === 0) this.drained?.()
      if (options.accessLog && !options.accessLogSkip.has(exchange.path)) this.logAccess(req, res, exchange)
    })
  }

  /** An exchange of `generation` has closed, or gone to the host app. */
  private leave(generation: Generation): void {
    if (--generation.inFlight === 0) generation.retired?.()
  }

  /** Stages 2 to 5, after the server middlewares. */
  private route(req: IncomingMessage, res: ServerResponse): void {
    const entry = (res as Followed)[IN_FLIGHT]!
    const exchange = entry.value
    const { path, search, clientIp } = exchange
    const { options } = exchange.generation
    if (path === options.healthPath) return writeReply(res, health())
    const method = req.method ?? 'GET'
    const lookup = options.routes.find(method, path)
    if (lookup.kind !== 'found') return exchange.next ? this.pass(entry) : writeReply(res, this.unrouted(options, method, path, search, lookup))
    const endpoint = lookup.route
    const start = (body?: Buffer) => {
      if (res.destroyed) return
      const request = toGatewayRequest(req, path, search, lookup.params, clientIp, this.options.connections, body)
      exchange.run = new EndpointRun(endpoint, request, res, this.options.logger)
      exchange.run.start(this.options.guardProcess)
    }
    if (!carriesBody(method)) return start()
    readBody(req, endpoint.maxBodyBytes)
      .then(start, (error: unknown) => {
        if (res.destroyed) return
        const reason = error instanceof RxgateError ? error : new RxgateError(ErrorCodes.BAD_REQUEST, 'the request body could not be read')
        // A refusal (400, 413) is the client's doing; anything else is the gateway's to log.
        if (!isRefusal(reason)) this.options.logger.error({ err: reason, code: reason.code, path }, reason.message)
        writeReply(res, errorReply(reason))
      })
      .catch((error: unknown) => this.crash(req, res, error))
  }

  /** A request that came through a handler and that no route takes goes on to the host app (its `next`). */
  private pass(entry: InFlightEntry<Exchange>): void {
    const exchange = entry.value
    this.inFlight.remove(entry)
    this.leave(exchange.generation)
    if (this.inFlight.size === 0) this.drained?.()
    exchange.next!()
  }

  /** The answer to a request no route takes: OPTIONS, a fixed-path or trailing-slash redirect, 405, 400 or 404. */
  private unrouted(options: ServerOptions, method: string, path: string, search: string, lookup: Exclude<Lookup<Endpoint>, { kind: 'found' }>): Reply {
    const allowed = lookup.kind === 'method-not-allowed' ? lookup.allowed.join(', ') : ''
    if (method === 'OPTIONS' && options.autoOptions && allowed) {
      return { status: 200, headers: { Allow: `${allowed}, OPTIONS` }, body: '', completed: true }
    }
    const redirect = (to: string): Reply => ({
      status: method === 'GET' ? 301 : 307,
      headers: { Location: search ? `${to}?${search}` : to },
      body: '',
      completed: true,
    })
    if (options.redirectTrailingSlash && path !== '/') {
      const other = path.endsWith('/') ? path.slice(0, -1) : `${path}/`
      if (options.routes.find(method, other).kind === 'found') return redirect(other)
    }
    if (!allowed && options.redirectFixedPath) {
      const fixed = options.routes.fixedPath(method, path)
      if (fixed !== undefined) return redirect(fixed)
    }
    if (allowed && options.methodNotAllowed) {
      return errorReply(new RxgateError(ErrorCodes.METHOD_NOT_ALLOWED, `${method} is not allowed on ${path}`), { Allow: allowed })
    }
    if (!decodes(path)) return errorReply(new RxgateError(ErrorCodes.BAD_REQUEST, 'the path is not valid percent-encoding'))
    return errorReply(new RxgateError(ErrorCodes.NOT_FOUND, `no endpoint for ${path}`))
  }

  private logAccess(req: IncomingMessage, res: ServerResponse, exchange: Exchange): void {
    const line: Record<string, unknown> = {
      method: req.method,
      path: exchange.path,
      ip: exchange.clientIp,
      // nothing sent: 499 (nginx's "client closed request") when the client left, 0 when the shutdown cut it
      status: res.headersSent ? res.statusCode : exchange.cut ? 0 : 499,
      completed: completedOf(res),
      aborted: !res.writableFinished,
      ms: Math.round((performance.now() - exchange.started) * 100) / 100,
    }
    if (exchange.cut) line.cut = true
    this.accessLog.info(line, 'request')
  }
}

/** KrakenD's health document: `agents` are its async agents (rxgate runs none), `now` the server's time. */
function health(): Reply {
  const body = `{"agents":{},"now":${JSON.stringify(new Date().toISOString())},"status":"ok"}`
  return { status: 200, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body, completed: true }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

function decodes(path: string): boolean {
  try {
    decodeURIComponent(path)
    return true
  } catch {
    return false
  }
}
