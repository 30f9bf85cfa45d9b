import { SpanKind, SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api'
import type { IncomingHttpHeaders } from 'node:http'
import type { FixedHistogram } from './histogram.js'
import type { BackendDescription, CallTelemetry } from './hooks.js'
import type { CounterSeries } from './metric-store.js'
import { reportHeaders, type OtelEndpoint, type OtelRun } from './otel-endpoint.js'
import { routeLabel } from './route-label.js'
import { backendSwitches, type BackendSwitches } from './settings.js'
import { traceparent } from './trace-context.js'

/** How a backend call ended: `rxgate.outcome` on its span. */
export type CallOutcome = 'delivered' | 'failed' | 'timed_out' | 'cancelled'

/** The round-trip series of one status (0: no answer arrived). */
interface RoundTrip {
  readonly duration: FixedHistogram
  readonly size: FixedHistogram
  readonly started: CounterSeries
  readonly failed: CounterSeries
  readonly canceled: CounterSeries
  readonly timedOut: CounterSeries
}

/**
 * One backend of one route: KrakenD's backend attributes (`http.request.method`, `http.route`:
 * the `url_pattern`, `krakend.endpoint`, `krakend.endpoint_method`, `server.address`) and the
 * static ones, its `krakend.backend.duration` series by outcome and its `http.client.*` series by
 * status, made once.
 */
export class OtelBackend {
  readonly switches: BackendSwitches
  private readonly stageSeries: readonly FixedHistogram[]
  private readonly roundTripAttributes: Attributes
  private readonly byStatus = new Map<number, RoundTrip>()
  readonly spanName: string
  readonly spanAttributes: Attributes

  constructor(
    readonly endpoint: OtelEndpoint,
    description: BackendDescription,
  ) {
    const { shared } = endpoint
    this.switches = backendSwitches(shared.layers.backend, description.options)
    const route = routeLabel(description.urlPattern, { lower: true })
    const base: Attributes = {
      'http.request.method': description.method,
      'http.route': route,
      'krakend.endpoint': endpoint.route,
      'krakend.endpoint_method': endpoint.method,
      'server.address': description.host,
    }
    const metricAttributes = { ...this.switches.metricsAttributes, ...base }
    this.stageSeries = [0, 1, 2, 3, 4, 5, 6, 7].map((bits) =>
      shared.instruments.backendDuration.series({ ...metricAttributes, error: bits >= 4, canceled: (bits & 2) !== 0, complete: (bits & 1) !== 0 }),
    )
    this.roundTripAttributes = metricAttributes
    this.spanName = `${description.method} ${route}`
    this.spanAttributes = { ...this.switches.tracesAttributes, ...base, 'krakend.stage': 'backend-request' }
  }

  /** A call within a run: undefined when nothing of it is reported. */
  call(run: OtelRun): CallTelemetry | undefined {
    const { switches } = this
    if (!switches.stageMetrics && !switches.roundTripMetrics && run.span === undefined) return undefined
    let span: Span | undefined
    if (switches.traces && run.span !== undefined && run.span.isRecording()) {
      span = this.endpoint.shared.tracer!.startSpan(this.spanName, { kind: SpanKind.CLIENT, attributes: this.spanAttributes }, run.parentContext())
    }
    return new OtelCall(this, run, span)
  }

  /** @internal */
  recordStage(seconds: number, outcome: CallOutcome): void {
    if (!this.switches.stageMetrics) return
    const errored = outcome === 'failed' || outcome === 'timed_out'
    this.stageSeries[(errored ? 4 : 0) + (outcome === 'cancelled' ? 2 : 0) + (outcome === 'delivered' ? 1 : 0)]!.record(seconds)
  }

  /** @internal */
  roundTrip(status: number): RoundTrip {
    let found = this.byStatus.get(status)
    if (found === undefined) {
      const attributes = { ...this.roundTripAttributes, 'http.response.status_code': status }
      const { instruments } = this.endpoint.shared
      found = {
        duration: instruments.clientDuration.series(attributes),
        size: instruments.clientResponseSize.series(attributes),
        started: instruments.clientStarted.series(attributes),
        failed: instruments.clientFailed.series(attributes),
        canceled: instruments.clientCanceled.series(attributes),
        timedOut: instruments.clientTimedOut.series(attributes),
      }
      this.byStatus.set(status, found)
    }
    return found
  }
}

/** One backend call: measured from its start to its end, its span the child of the request's. */
class OtelCall implements CallTelemetry {
  private readonly started = performance.now()
  private status = 0
  private headAfter = -1
  private size = -1
  private ended = false

  constructor(
    private readonly backend: OtelBackend,
    private readonly run: OtelRun,
    private readonly span: Span | undefined,
  ) {}

  headers(headers: Readonly<Record<string, string>>, url: string): Readonly<Record<string, string>> {
    // the next hop's parent: this call's span, or the request's unsampled one (flags 00)
    const parent = this.span ?? this.run.span
    if (parent === undefined) return headers
    if (this.span !== undefined) {
      this.span.setAttribute('url.full', url)
      if (this.backend.switches.reportHeaders) reportHeaders(this.span, 'http.request.header.', headers)
    }
    const context = parent.spanContext()
    const state = context.traceState?.serialize()
    return state ? { ...headers, traceparent: traceparent(context), tracestate: state } : { ...headers, traceparent: traceparent(context) }
  }

  responded(status: number, headers: IncomingHttpHeaders): void {
    this.status = status
    this.headAfter = performance.now() - this.started
    const length = headers['content-length']
    if (length !== undefined) this.size = Number(length)
  }

  delivered(): void {
    this.end('delivered', undefined)
  }

  failed(error: unknown): void {
    this.end('failed', error)
  }

  aborted(): void {
    this.end(this.run.cancelled ? 'cancelled' : 'timed_out', undefined)
  }

  private end(outcome: CallOutcome, error: unknown): void {
    if (this.ended) return
    this.ended = true
    const elapsed = performance.now() - this.started
    const { backend } = this
    backend.recordStage(elapsed / 1000, outcome)
    if (backend.switches.roundTripMetrics) {
      const series = backend.roundTrip(this.status)
      series.started.value++
      if (outcome === 'failed' || outcome === 'timed_out') series.failed.value++
      if (outcome === 'timed_out') series.timedOut.value++
      if (outcome === 'cancelled') series.canceled.value++
      series.duration.record((this.headAfter >= 0 ? this.headAfter : elapsed) / 1000)
      if (this.size >= 0) series.size.record(this.size)
    }
    const { span } = this
    if (span === undefined) return
    span.setAttribute('rxgate.outcome', outcome)
    if (this.status !== 0) span.setAttribute('http.response.status_code', this.status)
    if (outcome !== 'delivered' && outcome !== 'cancelled') {
      const message = error instanceof Error ? error.message : outcome === 'timed_out' ? 'the call was cut by its deadline' : 'the call failed'
      span.setStatus({ code: SpanStatusCode.ERROR, message })
    }
    span.end()
  }
}
