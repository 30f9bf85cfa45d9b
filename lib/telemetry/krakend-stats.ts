import { createServer, type Server } from 'node:http'
import { toMilliseconds } from '../../operators/duration.js'
import { ErrorCodes, RxgateError } from '../errors.js'
import type { BackendDescription, CallTelemetry, EndpointTelemetry, RunTelemetry, Telemetry } from './hooks.js'
import { routeLabel } from './route-label.js'
import { UniformSample } from './sample.js'
import type { StatsOptions } from './settings.js'

/** go-metrics' percentiles as its expvar handler names them. */
const PERCENTILES: readonly [number, string][] = [[0.5, '50'], [0.75, '75'], [0.95, '95'], [0.99, '99'], [0.999, '999']]

class Counter {
  value = 0
}

/**
 * KrakenD's `telemetry/metrics` (krakend-metrics): counters and histograms under its names, in
 * the JSON its `/__stats` endpoint serves (go-metrics' expvar handler: one flat object, a
 * histogram as `name.count`, `name.min`, `name.max`, `name.mean`, `name.std-dev`,
 * `name.50-percentile` ... `name.999-percentile`, durations in nanoseconds), on a port of its own.
 * The router layer counts each endpoint's answers by status and their time, the proxy layer
 * (`layer.pipe`) each pipeline's and the backend layer (`layer.backend`) each call's, by
 * `complete` and `error`. Every `collection_time`, the connection counters roll into their totals.
 *
 * @example
 * const stats = new KrakendStats({ listen_address: ':8090' })
 * gateway({ telemetry: stats })   // GET http://localhost:8090/__stats
 */
export class KrakendStats implements Telemetry {
  readonly on = true
  private readonly counters = new Map<string, Counter>()
  private readonly histograms = new Map<string, UniformSample>()
  private readonly gauges = new Map<string, Counter>()
  private server: Server | undefined
  private timer: NodeJS.Timeout | undefined
  private readonly connected: Counter
  private readonly disconnected: Counter

  constructor(readonly options: StatsOptions = {}) {
    this.connected = this.counter('krakend.router.connected')
    this.disconnected = this.counter('krakend.router.disconnected')
    this.counter('krakend.router.connected-total')
    this.counter('krakend.router.disconnected-total')
    this.gauge('krakend.router.connected-gauge')
    this.gauge('krakend.router.disconnected-gauge')
  }

  route(_method: string, path: string): EndpointTelemetry {
    return new StatsEndpoint(this, routeLabel(path))
  }

  observeActive(): void {}

  exchangeEnded(route: EndpointTelemetry | undefined, _method: string, status: number, seconds: number): void {
    if (this.options.router_disabled) return
    this.connected.value++
    this.disconnected.value++
    route?.exchanged(status, seconds)
  }

  /** The whole registry, as `/__stats` serves it. */
  snapshot(): Record<string, unknown> {
    const result: Record<string, unknown> = { cmdline: process.argv, memstats: process.memoryUsage() }
    for (const [name, counter] of this.counters) result[name] = counter.value
    for (const [name, gauge] of this.gauges) result[name] = gauge.value
    for (const [name, sample] of this.histograms) {
      result[`${name}.count`] = sample.count
      result[`${name}.min`] = sample.min
      result[`${name}.max`] = sample.max
      result[`${name}.mean`] = sample.mean()
      result[`${name}.std-dev`] = sample.stdDev()
      for (const [p, label] of PERCENTILES) result[`${name}.${label}-percentile`] = sample.percentile(p)
    }
    return result
  }

  async start(): Promise<void> {
    const every = toMilliseconds(this.options.collection_time ?? '60s') || 60_000
    this.timer = setInterval(() => this.aggregate(), every).unref()
    if (this.options.endpoint_disabled) return
    const port = Number((this.options.listen_address ?? ':8090').slice(1))
    const server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0]
      if (path !== '/__stats' && path !== '/__stats/') return void res.writeHead(404).end()
      const body = JSON.stringify(this.snapshot())
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) }).end(body)
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        reject(new RxgateError(ErrorCodes.BAD_ARGUMENT, `/__stats cannot listen on port ${port} (${error.code ?? error.message}): pick a free listen_address`, { port }, { cause: error }))
      })
      server.listen(port, () => resolve())
    })
    this.server = server
  }

  async shutdown(): Promise<void> {
    clearInterval(this.timer)
    const server = this.server
    this.server = undefined
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  /** @internal */
  counter(name: string): Counter {
    let found = this.counters.get(name)
    if (!found) this.counters.set(name, (found = new Counter()))
    return found
  }

  /** @internal */
  histogram(name: string): UniformSample {
    let found = this.histograms.get(name)
    if (!found) this.histograms.set(name, (found = new UniformSample()))
    return found
  }

  private gauge(name: string): Counter {
    let found = this.gauges.get(name)
    if (!found) this.gauges.set(name, (found = new Counter()))
    return found
  }

  /** krakend-metrics' `Aggregate`: this window's connections to the gauges, added to the totals. */
  private aggregate(): void {
    this.gauge('krakend.router.connected-gauge').value = this.connected.value
    this.counter('krakend.router.connected-total').value += this.connected.value
    this.connected.value = 0
    this.gauge('krakend.router.disconnected-gauge').value = this.disconnected.value
    this.counter('krakend.router.disconnected-total').value += this.disconnected.value
    this.disconnected.value = 0
  }
}

/** A stage (pipe or backend) of one name: its request counters and latency samples by outcome, made once. */
class Stage {
  private readonly requests: Counter[]
  private readonly latency: UniformSample[]

  constructor(stats: KrakendStats, layer: string, name: string) {
    this.requests = []
    this.latency = []
    // by index: complete * 2 + error, as krakend-metrics registers them
    for (const complete of [false, true]) {
      for (const error of [false, true]) {
        const labels = `layer.${layer}.name.${name}.complete.${complete}.error.${error}`
        this.requests.push(stats.counter(`krakend.proxy.requests.${labels}`))
        this.latency.push(stats.histogram(`krakend.proxy.latency.${labels}`))
      }
    }
  }

  record(started: number, complete: boolean, errored: boolean): void {
    const index = (complete ? 2 : 0) + (errored ? 1 : 0)
    this.requests[index]!.value++
    this.latency[index]!.update(Math.round((performance.now() - started) * 1e6))
  }
}

class StatsEndpoint implements EndpointTelemetry {
  private readonly byStatus = new Map<number, Counter>()
  private readonly time: UniformSample
  readonly pipe: Stage | undefined
  private readonly backends = new WeakMap<object, Stage | undefined>()

  constructor(
    readonly stats: KrakendStats,
    readonly route: string,
  ) {
    const { options } = stats
    if (!options.router_disabled) {
      stats.counter(`krakend.router.response.${route}.status`)
      stats.histogram(`krakend.router.response.${route}.size`)
    }
    this.time = stats.histogram(`krakend.router.response.${route}.time`)
    this.pipe = options.proxy_disabled ? undefined : new Stage(stats, 'pipe', route)
  }

  begin(): RunTelemetry | undefined {
    return new StatsRun(this)
  }

  exchanged(status: number, seconds: number): void {
    if (this.stats.options.router_disabled) return
    let counter = this.byStatus.get(status)
    if (!counter) this.byStatus.set(status, (counter = this.stats.counter(`krakend.router.response.${this.route}.status.${status}.count`)))
    counter.value++
    this.time.update(Math.round(seconds * 1e9))
  }

  /** @internal */
  backend(key: object, describe: () => BackendDescription): Stage | undefined {
    if (this.backends.has(key)) return this.backends.get(key)
    const stage = this.stats.options.backend_disabled ? undefined : new Stage(this.stats, 'backend', describe().urlPattern)
    this.backends.set(key, stage)
    return stage
  }
}

class StatsRun implements RunTelemetry {
  cancelled = false
  private readonly started = performance.now()
  private done = false

  constructor(private readonly endpoint: StatsEndpoint) {}

  settled(complete: boolean, errored: boolean, cancelled: boolean): void {
    if (cancelled) this.cancelled = true
    if (this.done) return
    this.done = true
    this.endpoint.pipe?.record(this.started, complete, errored || cancelled)
  }

  closed(): void {}

  call(key: object, describe: () => BackendDescription): CallTelemetry | undefined {
    const stage = this.endpoint.backend(key, describe)
    return stage ? new StatsCall(stage) : undefined
  }
}

class StatsCall implements CallTelemetry {
  private readonly started = performance.now()
  private done = false

  constructor(private readonly stage: Stage) {}

  headers(headers: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
    return headers
  }

  responded(): void {}

  delivered(): void {
    this.end(true, false)
  }

  failed(): void {
    this.end(false, true)
  }

  aborted(): void {
    this.end(false, true)
  }

  private end(complete: boolean, errored: boolean): void {
    if (this.done) return
    this.done = true
    this.stage.record(this.started, complete, errored)
  }
}
