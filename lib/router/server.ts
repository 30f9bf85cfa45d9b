import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Subscription, of } from 'rxjs'
import type { Logger } from '../logger.js'
import { ErrorCodes, RxgateError, errorCode } from '../errors.js'
import type { GatewayRequest } from '../request.js'
import { completedOf, errorReply, isMerged, writeReply, type Reply } from './reply.js'
import type { Endpoint } from './endpoint.js'
import { carriesBody, readBody } from './read-body.js'
import type { Lookup, Routes } from './routes.js'
import { toGatewayRequest } from './to-request.js'

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
  /** 405 with `Allow` when the path has routes for other methods; 404 otherwise. */
  readonly methodNotAllowed: boolean
  /** node:http server limits and timeouts. */
  readonly http: Readonly<{
    requestTimeout?: number
    headersTimeout?: number
    keepAliveTimeout?: number
    maxHeaderSize?: number
  }>
}

const EXTRA_SLASHES = /\/{2,}/g

const HEALTHY: Reply = { status: 200, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: '{"status":"ok"}', completed: true }

/**
 * The HTTP front: routes each request to its endpoint, runs the endpoint's pipeline, writes the
 * answer, and cancels the pipeline when the client goes away. Knows how to close gracefully.
 */
export class GatewayServer {
  private readonly server: Server
  private readonly inFlight = new Set<ServerResponse>()
  private drained: (() => void) | undefined

  constructor(private readonly options: ServerOptions) {
    const { requestTimeout, headersTimeout, keepAliveTimeout, maxHeaderSize } = options.http
    this.server = createServer({ ...(maxHeaderSize ? { maxHeaderSize } : {}) }, (req, res) => this.handle(req, res))
    if (requestTimeout !== undefined) this.server.requestTimeout = requestTimeout
    if (headersTimeout !== undefined) this.server.headersTimeout = headersTimeout
    if (keepAliveTimeout !== undefined) this.server.keepAliveTimeout = keepAliveTimeout
    this.server.on('clientError', (error, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
      options.logger.debug({ err: error }, 'malformed client request')
    })
  }

  listen(port: number, host?: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(port, host, () => {
        this.server.off('error', reject)
        resolve(this.server.address() as AddressInfo)
      })
    })
  }

  /** Stops accepting, lets in-flight requests finish for up to `grace` ms, then cuts what is left. */
  async close(grace: number): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    this.server.closeIdleConnections()
    if (this.inFlight.size > 0) {
      const drained = new Promise<void>((resolve) => (this.drained = resolve))
      let timer: NodeJS.Timeout | undefined
      const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, grace)))
      await Promise.race([drained, expired])
      clearTimeout(timer)
    }
    this.server.closeAllConnections()
    await closed
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now()
    const url = req.url ?? '/'
    const mark = url.indexOf('?')
    const raw = mark === -1 ? url : url.slice(0, mark)
    const path = this.options.removeExtraSlash ? raw.replace(EXTRA_SLASHES, '/') : raw
    const search = mark === -1 ? '' : url.slice(mark + 1)
    let pipeline: Subscription | undefined
    this.inFlight.add(res)
    // `on`, not `once`: a response closes once, and `once` wraps every listener.
    res.on('close', () => {
      // Closed before the answer (the client went away): cancel every backend call in flight.
      pipeline?.unsubscribe()
      this.inFlight.delete(res)
      if (this.inFlight.size === 0) this.drained?.()
      if (this.options.accessLog && !this.options.accessLogSkip.has(path)) this.logAccess(req, res, path, started)
    })

    if (path === this.options.healthPath) return writeReply(res, HEALTHY)
    const method = req.method ?? 'GET'
    const lookup = this.options.routes.find(method, path)
    if (lookup.kind !== 'found') return writeReply(res, this.unrouted(method, path, search, lookup))
    const endpoint = lookup.route
    const start = (body?: Buffer) => {
      if (!res.destroyed) pipeline = this.run(endpoint, toGatewayRequest(req, path, search, lookup.params, body), res)
    }
    if (!carriesBody(method)) return start()
    readBody(req, endpoint.maxBodyBytes).then(start, (error: unknown) => {
      if (error instanceof RxgateError) writeReply(res, errorReply(413, error))
      else if (!res.destroyed) writeReply(res, errorReply(400, new RxgateError(ErrorCodes.BAD_REQUEST, 'the request body could not be read')))
    })
  }

  /** The answer to a request no route takes: OPTIONS, a trailing-slash redirect, 405, 400 or 404. */
  private unrouted(method: string, path: string, search: string, lookup: Exclude<Lookup<Endpoint>, { kind: 'found' }>): Reply {
    const allowed = lookup.kind === 'method-not-allowed' ? lookup.allowed.join(', ') : ''
    if (method === 'OPTIONS' && this.options.autoOptions && allowed) {
      return { status: 200, headers: { Allow: `${allowed}, OPTIONS` }, body: '', completed: true }
    }
    if (this.options.redirectTrailingSlash && path !== '/') {
      const other = path.endsWith('/') ? path.slice(0, -1) : `${path}/`
      if (this.options.routes.find(method, other).kind === 'found') {
        const location = search ? `${other}?${search}` : other
        return { status: method === 'GET' ? 301 : 307, headers: { Location: location }, body: '', completed: true }
      }
    }
    if (allowed && this.options.methodNotAllowed) {
      return errorReply(405, new RxgateError(ErrorCodes.METHOD_NOT_ALLOWED, `${method} is not allowed on ${path}`), { Allow: allowed })
    }
    if (!decodes(path)) return errorReply(400, new RxgateError(ErrorCodes.BAD_REQUEST, 'the path is not valid percent-encoding'))
    return errorReply(404, new RxgateError(ErrorCodes.NOT_FOUND, `no endpoint for ${path}`))
  }

  /** Runs the endpoint's pipeline: its first value answers, within the endpoint's deadline. */
  private run(endpoint: Endpoint, request: GatewayRequest, res: ServerResponse): Subscription {
    let answered = false
    const answer = (send: () => void) => {
      if (answered) return
      answered = true
      send()
      subscription?.unsubscribe()
    }
    const deadline = setTimeout(() => answer(() => this.fail(res, endpoint, endpointTimeout(endpoint))), endpoint.timeout)
    let subscription: Subscription | undefined
    try {
      subscription = endpoint.pipeline(of(request)).subscribe({
        next: (result) => answer(() => this.send(res, endpoint, request, result)),
        error: (error: unknown) => answer(() => this.fail(res, endpoint, error)),
        complete: () => answer(() => writeReply(res, errorReply(500, new RxgateError(ErrorCodes.EMPTY, 'the endpoint produced no answer')))),
      })
    } catch (error) {
      // A pipeline function that throws instead of returning an observable.
      subscription = new Subscription()
      answer(() => this.fail(res, endpoint, error))
    }
    subscription.add(() => clearTimeout(deadline))
    // Answered synchronously, before `subscription` was set: end it now.
    if (answered) subscription.unsubscribe()
    return subscription
  }

  private send(res: ServerResponse, endpoint: Endpoint, request: GatewayRequest, result: unknown): void {
    if (isMerged(result) && !result.complete) {
      const failures = result.errors.map(({ source, error }) => ({ source, code: errorCode(error), message: (error as Error)?.message }))
      this.options.logger.warn({ endpoint: endpoint.path, failures }, 'partial answer')
    }
    writeReply(res, endpoint.render(result, request))
  }

  private fail(res: ServerResponse, endpoint: Endpoint, error: unknown): void {
    this.options.logger.error({ err: error, code: errorCode(error), endpoint: endpoint.path }, 'endpoint failed')
    const failure = error instanceof RxgateError ? error : new RxgateError(ErrorCodes.PIPELINE, 'the endpoint failed', {}, { cause: error })
    writeReply(res, errorReply(failure.code === ErrorCodes.ENDPOINT_TIMEOUT ? 504 : 500, failure))
  }

  private logAccess(req: IncomingMessage, res: ServerResponse, path: string, started: number): void {
    this.options.logger.info(
      {
        method: req.method,
        path,
        status: res.statusCode,
        completed: completedOf(res),
        aborted: !res.writableFinished,
        ms: Math.round((performance.now() - started) * 100) / 100,
      },
      'request',
    )
  }
}

function endpointTimeout(endpoint: Endpoint) {
  return new RxgateError(ErrorCodes.ENDPOINT_TIMEOUT, `the endpoint did not answer within ${endpoint.timeout}ms`, {
    endpoint: endpoint.path,
  })
}

function decodes(path: string): boolean {
  try {
    decodeURIComponent(path)
    return true
  } catch {
    return false
  }
}
