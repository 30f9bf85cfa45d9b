import type { AddressInfo } from 'node:net'
import type { TlsOptions } from 'node:tls'
import type { LoggerOptions } from 'pino'
import { toMilliseconds, type Duration } from '../operators/duration.js'
import type { NodeHandler } from './adapters/node-handler.js'
import { Connections } from './backend/connections.js'
import { jsonEncoder, type Schema } from './codec/json-encoder.js'
import { renderFor, type RenderEncoding } from './codec/render.js'
import { createLogger, type Logger } from './logger.js'
import { backendCallLog } from './logging/backend-call-log.js'
import type { ClientIpOptions } from './router/client-ip.js'
import type { ServerMiddleware } from './middleware/types.js'
import type { Endpoint, Pipeline } from './router/endpoint.js'
import { guardProcess } from './router/guard-process.js'
import type { Render } from './router/reply.js'
import { Routes } from './router/routes.js'
import { GatewayServer, type ServerOptions } from './router/server.js'
import { combineTelemetry } from './telemetry/combined.js'
import { TELEMETRY_OFF, type Telemetry } from './telemetry/hooks.js'
import { OpenTelemetry } from './telemetry/open-telemetry.js'
import type { EndpointTelemetryOptions, OpenTelemetryOptions } from './telemetry/settings.js'

export interface GatewayOptions {
  /** A pino logger, or options for the one the gateway makes. */
  readonly logger?: Logger | LoggerOptions
  /** Default deadline of every endpoint's whole pipeline (KrakenD's default: 2s). */
  readonly timeout?: Duration
  /** How long `close()` lets in-flight requests finish before cutting them. Default 10s. */
  readonly shutdownTimeout?: Duration
  /** Path of the health endpoint, or false for none. Default `/__health`. */
  readonly healthPath?: string | false
  /** One log line per request. Default true. */
  readonly accessLog?: boolean
  /** Paths whose requests are not logged (health checks, say). */
  readonly accessLogSkip?: readonly string[]
  /** Answer OPTIONS requests with the path's methods in `Allow`. Default false. */
  readonly autoOptions?: boolean
  /** Read `//` in paths as `/` before routing. Default false. */
  readonly removeExtraSlash?: boolean
  /** Redirect `/a/` to `/a` (or back) when only the other has a route, as KrakenD. Default true. */
  readonly redirectTrailingSlash?: boolean
  /** Redirect a path that matches a route but for letter case to the route's own (`/StAtic` → `/static`), as KrakenD. Default true. */
  readonly redirectFixedPath?: boolean
  /** 405 with `Allow` for a path that has routes for other methods, as KrakenD. Default true; else 404. */
  readonly methodNotAllowed?: boolean
  /** Where the client's IP comes from: by default the connection's peer; behind trusted proxies, their headers. */
  readonly clientIp?: ClientIpOptions
  /**
   * Whether errors that escape every request's own handling (a throw in a user's timer, an
   * unhandled rejection) are logged, counted and end their request with a 500, the process
   * serving on, while this gateway listens (see `guardProcess`). Default true; false keeps Node's
   * default, which exits (and no route is traced: see `RouteOptions.trace`).
   */
  readonly guardProcess?: boolean
  /** node:http limits: whole-request and header deadlines, keep-alive idle time, header size. */
  readonly http?: ServerOptions['http']
  /**
   * HTTPS, with node:tls server options (`key`, `cert`, `ca`, `minVersion`, ...; KrakenD's `tls`
   * block makes them with `serverTlsOptions`): a client that offers HTTP/2 (ALPN) gets it, any
   * other HTTP/1.1, on the same port. Default: plain HTTP.
   */
  readonly tls?: TlsOptions
  /** Cleartext HTTP/2 for clients that know the gateway speaks it (prior knowledge, KrakenD's `use_h2c`), beside HTTP/1.1 on the same port. Default false. */
  readonly h2c?: boolean
  /**
   * Metrics and traces: KrakenD's `telemetry/opentelemetry` block (Prometheus and OTLP exporters,
   * layers, sample rate), or a `Telemetry` of one's own. Every route reports, and every
   * `backend()` its pipelines call. Default: none, at the cost of a property read per request.
   */
  readonly telemetry?: OpenTelemetryOptions | Telemetry
}

export interface SwapOptions {
  /**
   * The backend origins (`http://users:8080`) whose connections stay once the old routes'
   * requests are done; the others' pools close. Default: every connection stays.
   */
  readonly keepConnectionsTo?: ReadonlySet<string>
}

export interface RouteOptions {
  /** Deadline of this endpoint's whole pipeline; the gateway's by default. */
  readonly timeout?: Duration
  /**
   * How the answer is written, as KrakenD's `output_encoding`: `json` (default), `json-collection`,
   * `string`, `xml`, `yaml`, `negotiate`, or `no-op` for a pipeline that passes a `no-op` backend's
   * raw answer through (see `renderFor`).
   */
  readonly encoding?: RenderEncoding
  /** JSON Schema of the answer's data: compiles a fast serializer for it at start-up. */
  readonly schema?: Schema
  /** Largest request body the endpoint reads. Default 1 MiB. */
  readonly maxBodyBytes?: number
  /**
   * Whether every callback a request's pipeline schedules is traced to the request, so that an
   * error thrown there (a user's timer, say), which the process guard catches, ends that request
   * at once with a 500 rather than at its deadline. Default false: tracing (AsyncLocalStorage)
   * tags every promise and async resource of the process once any traced route has run, which
   * costs every request, traced or not: on Node 20, about 9% of a proxied request's CPU and 1.6x
   * the CPU of an aggregation of three backends (perf/RESULTS.md). Untraced, such an error is
   * still caught and logged, and its request ends at its deadline. Worth turning on for a
   * pipeline whose own callbacks may throw.
   */
  readonly trace?: boolean
  /**
   * Makes the HTTP reply of the pipeline's result, for full control of status, headers and body.
   * It is given every outcome: a pipeline that errors or misses its deadline comes as a merged
   * answer with nothing delivered and that error. Default: `renderFor(encoding)`, the renderer of
   * configuration files.
   */
  readonly render?: Render
  /** This route's own telemetry settings, as KrakenD's endpoint `telemetry/opentelemetry` block (`{ proxy: { disable_metrics: true } }`). */
  readonly telemetry?: EndpointTelemetryOptions
}

/**
 * A gateway declared in code: routes whose handlers are pipelines of operators over backends.
 *
 * @example
 * const gw = gateway()
 * gw.get('/frontpage/{id}', pipe(
 *   fanOut({ user: pipe(backend('http://users.local/users/{id}'), pick(['name'])) }),
 *   timeoutEach('800ms'),
 *   merge(),
 * ))
 * await gw.listen(8080)
 */
export class Gateway {
  readonly logger: Logger
  private routes = new Routes<Endpoint>()
  private timeout: number
  private shutdownTimeout: number
  /** This gateway's backend connections: closing it closes these, and no other gateway's. */
  private connections = new Connections()
  private middlewares: ServerMiddleware[] = []
  private starting: (() => Promise<void>)[] = []
  private closing: (() => Promise<void>)[] = []
  /** Its metrics and traces: started before it serves, flushed when it closes. */
  telemetry: Telemetry
  /** The gateway this one was made to be swapped into (`successor`), which it never serves without. */
  private replaces: Gateway | undefined
  /** The backend origins whose connections the last `swap` keeps. */
  private keptOrigins: ReadonlySet<string> | undefined
  /** The `beforeListen` tasks, once started (by `listen` or `handler`). */
  private started: Promise<void> | undefined
  private server: GatewayServer | undefined
  private listening = false
  private releaseProcess: (() => void) | undefined

  constructor(private options: GatewayOptions = {}) {
    this.logger = isLogger(options.logger) ? options.logger : createLogger(options.logger)
    this.timeout = toMilliseconds(options.timeout ?? '2s')
    this.shutdownTimeout = toMilliseconds(options.shutdownTimeout ?? '10s')
    const telemetry = options.telemetry
    this.telemetry = telemetry === undefined ? TELEMETRY_OFF : isTelemetry(telemetry) ? telemetry : new OpenTelemetry(telemetry)
    // at debug level, one line per backend call through the same hooks; decided once, here
    if (this.logger.isLevelEnabled('debug')) this.telemetry = combineTelemetry(this.telemetry, backendCallLog(this.logger))
  }

  /**
   * Adds a server middleware: it wraps every request, before routing, and may answer by itself
   * (`cors(...)`, `httpSecurity(...)`). The first added sees the request first. Endpoint and
   * backend middlewares need no registration: they wrap a pipeline or a backend where it is
   * written (`jwtValidator(...)(pipeline)`).
   */
  use(middleware: ServerMiddleware): this {
    if (this.server) throw new Error('use() comes before listen() and handler(): this gateway already serves')
    this.middlewares.push(middleware)
    return this
  }

  /** Something to wait for before the gateway listens (a Redis connection being made, say). */
  beforeListen(task: () => Promise<void>): this {
    this.starting.push(task)
    return this
  }

  /** Something to release when the gateway closes, after its requests have drained (a Redis connection, say). */
  onClose(task: () => Promise<void>): this {
    this.closing.push(task)
    return this
  }

  /** Declares an endpoint. Paths use `{param}` placeholders; a trailing `*` matches the rest. */
  route(method: string, path: string, pipeline: Pipeline, options: RouteOptions = {}): this {
    const endpoint: Endpoint = {
      method: method.toUpperCase(),
      path,
      pipeline,
      timeout: options.timeout === undefined ? this.timeout : toMilliseconds(options.timeout),
      render: options.render ?? renderFor(options.encoding ?? 'json', { encode: jsonEncoder(options.schema) }),
      maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
      traced: options.trace ?? false,
      telemetry: this.telemetry.route(method.toUpperCase(), path, options.telemetry),
    }
    this.routes.add(endpoint.method, path, endpoint)
    return this
  }

  get(path: string, pipeline: Pipeline, options?: RouteOptions): this {
    return this.route('GET', path, pipeline, options)
  }

  post(path: string, pipeline: Pipeline, options?: RouteOptions): this {
    return this.route('POST', path, pipeline, options)
  }

  put(path: string, pipeline: Pipeline, options?: RouteOptions): this {
    return this.route('PUT', path, pipeline, options)
  }

  patch(path: string, pipeline: Pipeline, options?: RouteOptions): this {
    return this.route('PATCH', path, pipeline, options)
  }

  delete(path: string, pipeline: Pipeline, options?: RouteOptions): this {
    return this.route('DELETE', path, pipeline, options)
  }

  /**
   * A new gateway without routes, to declare the routes of a new configuration in and `swap` in
   * place of this one: it reports to this gateway's telemetry, logs with its logger, and its
   * requests use its backend connections. It is never listened itself.
   *
   * @example
   * const next = gw.successor({ timeout: '3s' })
   * next.get('/v2/users/{id}', pipe(fanOut({ user: backend('http://users/users/{id}') }), merge()))
   * await gw.swap(next)
   */
  successor(options: Omit<GatewayOptions, 'logger' | 'telemetry'> = {}): Gateway {
    // the drain's bound is the process's (rxgate run --shutdown-timeout), not the file's: kept unless given
    const next = new Gateway({ shutdownTimeout: this.shutdownTimeout, ...options, logger: this.logger })
    next.telemetry = this.telemetry
    next.connections = this.connections
    next.replaces = this
    return next
  }

  /**
   * Serves `next`'s routes, server middlewares and router settings (`healthPath`, `clientIp`,
   * `http` deadlines, ...) in place of this gateway's, without closing its listener: how
   * `rxgate run` reloads its file (`--watch`, SIGHUP). `next` comes from `successor()`. Its
   * `beforeListen` tasks run first; then, in one step, every request that arrives gets its
   * routes, while those already received finish on the old ones; once those have, the old
   * routes' `onClose` tasks run (next's take their place). What stays is this gateway's: its
   * port and listener, the logger, the telemetry, the backend connections, `guardProcess` and
   * `http.maxHeaderSize`. Resolves once swapped, with a promise of the old routes' release.
   *
   * @example
   * const next = gw.successor()
   * next.get('/v2/users/{id}', pipeline)
   * await gw.swap(next)   // GET /v2/users/7 answers from now on; GET /users/7 is a 404
   */
  async swap(next: Gateway, options: SwapOptions = {}): Promise<{ readonly released: Promise<void> }> {
    if (next.replaces !== this) throw new Error('swap() takes a gateway made by this one\'s successor()')
    next.replaces = undefined
    for (const task of next.starting) await task()
    const retiring = this.closing
    this.routes = next.routes
    this.middlewares = next.middlewares
    this.starting = next.starting
    this.closing = next.closing
    this.timeout = next.timeout
    this.shutdownTimeout = next.shutdownTimeout
    this.options = { ...this.options, ...pick(next.options, SWAPPED_OPTIONS) }
    if (options.keepConnectionsTo) this.keptOrigins = options.keepConnectionsTo
    const drained = this.server ? this.server.swap(this.serverOptions()) : Promise.resolve()
    const released = drained.then(async () => {
      // the latest swap's origins: one swapped in since may call hosts this one did not
      if (this.keptOrigins) await this.connections.retain(this.keptOrigins)
      await this.runClosing(retiring)
    })
    return { released }
  }

  /** Starts serving. Port 0 picks a free port; the address says which. */
  async listen(port = 8080, host?: string): Promise<AddressInfo> {
    if (this.replaces) throw new Error('this gateway was made by successor(): swap() it into the gateway it replaces')
    if (this.listening) throw new Error('this gateway is already listening')
    this.listening = true
    try {
      await this.start()
      const address = await this.serving().listen(port, host)
      const { tls, h2c } = this.options
      this.logger.info({ port: address.port, host: address.address, ...(tls ? { tls: true } : h2c ? { h2c: true } : {}) }, 'rxgate listening')
      return address
    } catch (error) {
      this.listening = false
      throw error
    }
  }

  /**
   * The gateway as a node request handler, to serve its routes from another server: node:http's
   * `createServer(handler)`, or a connect or express app (`app.use('/api', gw.handler())`),
   * where a request no route matches goes on to the app's `next`. Every stage is the one `listen`
   * runs (server middlewares, routing, the endpoint's pipeline, the access log); `close()` drains
   * these requests too, and answers later ones with a 503. Mount it before body parsers: a body
   * they parsed is no longer the client's bytes (`express.raw()` and `express.text()` are read).
   *
   * @example
   * const gw = gateway().get('/users/{id}', pipe(fanOut({ user: backend('http://users/users/{id}') }), merge()))
   * const app = express()
   * app.get('/status', (req, res) => res.json({ ok: true }))
   * app.use(gw.handler())   // GET /users/7: rxgate; GET /status and the rest: the app
   * app.listen(3000)
   */
  handler(): NodeHandler {
    if (this.replaces) throw new Error('this gateway was made by successor(): swap() it into the gateway it replaces')
    const server = this.serving()
    let ready = false
    const starting = this.start().then(
      () => (ready = true),
      (error: unknown) => {
        ready = true
        this.logger.error({ err: error }, 'a start-up task failed; serving without it')
      },
    )
    return (req, res, next) => {
      if (ready) server.serve(req, res, next)
      // Requests that come before the start-up tasks end (Redis connections) wait for them, as `listen` does.
      else void starting.then(() => server.serve(req, res, next))
    }
  }

  /** The `beforeListen` tasks, run once. */
  private start(): Promise<void> {
    this.started ??= (async () => {
      if (this.telemetry.on) await this.telemetry.start()
      for (const task of this.starting) await task()
    })()
    return this.started
  }

  /** The server of this gateway's requests, made by the first `listen` or `handler`. */
  private serving(): GatewayServer {
    if (this.server) return this.server
    this.server = new GatewayServer(this.serverOptions())
    if (this.options.guardProcess ?? true) this.releaseProcess = guardProcess(this.logger)
    return this.server
  }

  /** What its server is made of: its routes, middlewares and settings, its connections and telemetry. */
  private serverOptions(): ServerOptions {
    return {
      routes: this.routes,
      logger: this.logger,
      healthPath: this.options.healthPath ?? '/__health',
      accessLog: this.options.accessLog ?? true,
      accessLogSkip: new Set(this.options.accessLogSkip ?? []),
      autoOptions: this.options.autoOptions ?? false,
      removeExtraSlash: this.options.removeExtraSlash ?? false,
      redirectTrailingSlash: this.options.redirectTrailingSlash ?? true,
      redirectFixedPath: this.options.redirectFixedPath ?? true,
      methodNotAllowed: this.options.methodNotAllowed ?? true,
      clientIp: this.options.clientIp ?? {},
      connections: this.connections,
      guardProcess: this.options.guardProcess ?? true,
      middlewares: this.middlewares,
      http: this.options.http ?? {},
      tls: this.options.tls,
      h2c: this.options.h2c ?? false,
      telemetry: this.telemetry,
    }
  }

  /** Runs `onClose` tasks, each failure a warning. */
  private async runClosing(tasks: readonly (() => Promise<void>)[]): Promise<void> {
    await Promise.all(tasks.map((task) => task().catch((error: unknown) => this.logger.warn({ err: error }, 'a resource did not close cleanly'))))
  }

  /** Stops accepting, drains in-flight requests (bounded by `shutdownTimeout`), then resolves. */
  async close(): Promise<void> {
    const server = this.server
    if (!server) return
    this.server = undefined
    this.listening = false
    this.started = undefined
    await server.close(this.shutdownTimeout)
    await this.connections.close()
    await this.runClosing(this.telemetry.on ? [...this.closing, () => this.telemetry.shutdown()] : this.closing)
    this.releaseProcess?.()
    this.releaseProcess = undefined
    this.logger.info('rxgate closed')
  }
}

/** Creates a {@link Gateway}. */
export function gateway(options?: GatewayOptions): Gateway {
  return new Gateway(options)
}

/** The options `swap` takes from the gateway swapped in; the others (the listener's, the logger, the process guard) stay. */
const SWAPPED_OPTIONS = [
  'timeout',
  'shutdownTimeout',
  'healthPath',
  'accessLog',
  'accessLogSkip',
  'autoOptions',
  'removeExtraSlash',
  'redirectTrailingSlash',
  'redirectFixedPath',
  'methodNotAllowed',
  'clientIp',
  'http',
] as const satisfies readonly (keyof GatewayOptions)[]

/** The `keys` of `from`, those it leaves out included: the gateway swapped in has its defaults there. */
function pick<T extends object, K extends keyof T>(from: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>
  for (const key of keys) out[key] = from[key]
  return out
}

function isTelemetry(value: OpenTelemetryOptions | Telemetry): value is Telemetry {
  return typeof (value as Telemetry).route === 'function'
}

function isLogger(value: GatewayOptions['logger']): value is Logger {
  return typeof (value as Logger | undefined)?.child === 'function'
}
