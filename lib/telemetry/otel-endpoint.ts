import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api'
import type { GatewayRequest } from '../request.js'
import type { FixedHistogram } from './histogram.js'
import type { BackendDescription, CallTelemetry, EndpointTelemetry, RunTelemetry } from './hooks.js'
import { OtelBackend } from './otel-backend.js'
import type { OtelShared } from './open-telemetry.js'
import { routeLabel } from './route-label.js'
import { proxySwitches, type EndpointTelemetryOptions, type LayerSwitches } from './settings.js'
import { clientTrace } from './trace-context.js'

/**
 * One route's OpenTelemetry: its series and span attributes, made once at start-up. The global
 * layer's `http.server.duration` by status, the proxy layer's `krakend.proxy.duration` by
 * outcome (`error`, `canceled`, `complete`: rxgate's `X-Rxgate-Completed`), one SERVER span per
 * request, and its backends' telemetry, each made on its first call.
 */
export class OtelEndpoint implements EndpointTelemetry {
  readonly route: string
  readonly proxy: LayerSwitches
  /** Whether a request's run is followed at all: its proxy metrics, its span or its backends. */
  private readonly follows: boolean
  private readonly traced: boolean
  private readonly spanName: string
  private readonly spanAttributes: Attributes
  private readonly byStatus = new Map<number, FixedHistogram>()
  private readonly serverAttributes: Attributes
  /** By outcome: error * 4 + canceled * 2 + complete. */
  private readonly proxySeries: readonly FixedHistogram[]
  private readonly backends = new WeakMap<object, OtelBackend>()

  constructor(
    readonly shared: OtelShared,
    readonly method: string,
    path: string,
    options: EndpointTelemetryOptions | undefined,
  ) {
    this.route = routeLabel(path)
    this.proxy = proxySwitches(shared.layersOptions.proxy ?? {}, options?.proxy)
    const { global, backend } = shared.layers
    this.traced = shared.tracer !== undefined && (global.traces || this.proxy.traces)
    this.follows = this.proxy.metrics || this.traced || backend.stageMetrics || backend.roundTripMetrics
    this.spanName = `${method} ${this.route}`
    this.spanAttributes = { ...global.tracesAttributes, ...this.proxy.tracesAttributes, 'http.request.method': method, 'http.route': this.route }
    this.serverAttributes = { ...global.metricsAttributes, 'http.route': this.route, 'http.request.method': method }
    const proxyAttributes = { ...this.proxy.metricsAttributes, 'http.route': this.route, 'http.request.method': method }
    this.proxySeries = [0, 1, 2, 3, 4, 5, 6, 7].map((bits) =>
      shared.instruments.proxyDuration.series({ ...proxyAttributes, error: bits >= 4, canceled: (bits & 2) !== 0, complete: (bits & 1) !== 0 }),
    )
  }

  begin(request: GatewayRequest): RunTelemetry | undefined {
    if (!this.follows) return undefined
    return new OtelRun(this, this.traced ? this.span(request) : undefined)
  }

  exchanged(status: number, seconds: number): void {
    let series = this.byStatus.get(status)
    if (series === undefined) {
      series = this.shared.instruments.serverDuration.series({ ...this.serverAttributes, 'http.response.status_code': status })
      this.byStatus.set(status, series)
    }
    series.record(seconds)
  }

  /** @internal The proxy layer's duration, by outcome. */
  recordProxy(seconds: number, errored: boolean, cancelled: boolean, complete: boolean): void {
    if (this.proxy.metrics) this.proxySeries[(errored ? 4 : 0) + (cancelled ? 2 : 0) + (complete ? 1 : 0)]!.record(seconds)
  }

  /** @internal A backend's telemetry within this route, made on its first call. */
  backend(key: object, describe: () => BackendDescription): OtelBackend {
    let found = this.backends.get(key)
    if (found === undefined) {
      found = new OtelBackend(this, describe())
      this.backends.set(key, found)
    }
    return found
  }

  /**
   * The request's span, child of the client's trace unless propagation is off. A request that
   * brings no trace, when the sample rate is 0, gets none at all: nothing to sample, nothing to
   * pass on. An unsampled span is not recorded; its context still goes to the backends (flags 00).
   */
  private span(request: GatewayRequest): Span | undefined {
    const { shared } = this
    const brought = shared.layers.global.propagation && request.headers.traceparent !== undefined
    if (!brought && shared.sampleRate === 0) return undefined
    const parent = brought ? clientTrace(request.headers) : ROOT_CONTEXT
    const span = shared.tracer!.startSpan(this.spanName, { kind: SpanKind.SERVER, attributes: this.spanAttributes }, parent)
    if (span.isRecording()) {
      span.setAttribute('url.path', request.path)
      span.setAttribute('client.address', request.clientIp)
      if (shared.layers.global.reportHeaders || this.proxy.reportHeaders) reportHeaders(span, 'http.request.header.', request.headers)
    }
    return span
  }
}

/** One request's run: its proxy duration, its span, and the parent of its backend calls. */
class OtelRun implements RunTelemetry {
  cancelled = false
  private readonly started = performance.now()
  private settledYet = false

  constructor(
    private readonly endpoint: OtelEndpoint,
    readonly span: Span | undefined,
  ) {}

  settled(complete: boolean, errored: boolean, cancelled: boolean): void {
    if (cancelled) this.cancelled = true
    if (this.settledYet) return
    this.settledYet = true
    this.endpoint.recordProxy((performance.now() - this.started) / 1000, errored, cancelled, complete)
    const { span } = this
    if (span === undefined || !span.isRecording()) return
    span.setAttribute('complete', complete)
    if (cancelled) span.setAttribute('canceled', true)
    if (errored) span.setStatus({ code: SpanStatusCode.ERROR, message: complete ? '' : 'a backend failed' })
  }

  closed(status: number): void {
    const { span } = this
    if (span === undefined) return
    if (span.isRecording()) {
      span.setAttribute('http.response.status_code', status)
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
    }
    span.end()
  }

  call(key: object, describe: () => BackendDescription): CallTelemetry | undefined {
    return this.endpoint.backend(key, describe).call(this)
  }

  /** @internal The context backend spans are children of. */
  parentContext() {
    return this.span === undefined ? undefined : trace.setSpan(ROOT_CONTEXT, this.span)
  }
}

export type { OtelRun }

/** Headers as span attributes (`http.request.header.accept: ["application/json"]`), as KrakenD reports them. */
export function reportHeaders(span: Span, prefix: string, headers: Readonly<Record<string, string | string[] | undefined>>): void {
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) span.setAttribute(prefix + name.toLowerCase(), Array.isArray(value) ? value : [value])
  }
}
