import type { Attributes, Tracer } from '@opentelemetry/api'
import { hostname } from 'node:os'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions'
import { VERSION } from '../version.js'
import type { EndpointTelemetry, Telemetry } from './hooks.js'
import { instruments, type Instruments } from './instruments.js'
import { makeExporters, type Exporters } from './exporters.js'
import type { FixedHistogram } from './histogram.js'
import { MetricStore, type CounterSeries } from './metric-store.js'
import { OtelEndpoint } from './otel-endpoint.js'
import { DEFAULT_SKIP_PATHS, resolveLayers, type EndpointTelemetryOptions, type OpenTelemetryOptions, type ResolvedLayers } from './settings.js'

/** What every route's and backend's telemetry of one gateway shares. */
export interface OtelShared {
  readonly instruments: Instruments
  readonly layers: ResolvedLayers
  readonly layersOptions: NonNullable<OpenTelemetryOptions['layers']>
  /** Undefined when no exporter takes traces. */
  readonly tracer: Tracer | undefined
  readonly sampleRate: number
}

/** A route KrakenD's `skip_paths` names: reported nowhere. */
const SKIPPED: EndpointTelemetry = { route: '', begin: () => undefined, exchanged: () => {} }

/**
 * KrakenD's `telemetry/opentelemetry`, on the official OpenTelemetry SDK: metrics under
 * KrakenD's names, pulled by Prometheus or pushed over OTLP, and traces pushed over OTLP, W3C
 * Trace Context in and out. `gateway({ telemetry })` makes one; a file's namespace too.
 *
 * @example
 * const telemetry = new OpenTelemetry({ exporters: { prometheus: [{ name: 'p', port: 9090 }] } })
 * const route = telemetry.route('GET', '/users/{id}')
 * await telemetry.start()
 */
export class OpenTelemetry implements Telemetry {
  readonly on = true
  private readonly shared: OtelShared
  private readonly exporters: Exporters
  private readonly skip: ReadonlySet<string>
  private readonly active: CounterSeries
  private readonly unrouted = new Map<string, FixedHistogram>()
  private readonly unroutedAttributes: Attributes

  constructor(options: OpenTelemetryOptions, defaults: { readonly serviceName?: string } = {}) {
    const store = new MetricStore()
    const resource = resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.service_name || defaults.serviceName || 'rxgate',
      [ATTR_SERVICE_VERSION]: options.service_version || VERSION,
      // each process (each worker of `--workers`) reports as its own instance
      'service.instance.id': `${hostname()}-${process.pid}`,
      ...(options.deploy_env ? { 'deployment.environment': options.deploy_env } : {}),
    })
    this.exporters = makeExporters(options, resource, store)
    const layers = resolveLayers(options.layers)
    const metrics = instruments(store)
    this.shared = {
      instruments: metrics,
      layers,
      layersOptions: options.layers ?? {},
      tracer: this.exporters.tracerProvider?.getTracer('rxgate', VERSION),
      sampleRate: options.trace_sample_rate ?? 1,
    }
    // KrakenD reads an empty list as its default list, and `[""]` as "skip nothing"
    this.skip = new Set(options.skip_paths?.length ? options.skip_paths : DEFAULT_SKIP_PATHS)
    this.active = metrics.activeRequests.series(layers.global.metricsAttributes)
    this.unroutedAttributes = layers.global.metricsAttributes
  }

  route(method: string, path: string, options?: EndpointTelemetryOptions): EndpointTelemetry {
    if (this.skipped(path)) return SKIPPED
    return new OtelEndpoint(this.shared, method, path, options)
  }

  observeActive(read: () => number): void {
    this.active.observe = read
  }

  exchangeEnded(route: EndpointTelemetry | undefined, method: string, status: number, seconds: number, path?: string): void {
    if (!this.shared.layers.global.metrics) return
    if (route !== undefined) return route.exchanged(status, seconds)
    if (path !== undefined && this.skip.has(path)) return
    // no route: 404s, redirects, a server middleware's own answers, the health check
    const key = `${method} ${status}`
    let series = this.unrouted.get(key)
    if (series === undefined) {
      series = this.shared.instruments.serverDuration.series({ ...this.unroutedAttributes, 'http.request.method': method, 'http.response.status_code': status })
      this.unrouted.set(key, series)
    }
    series.record(seconds)
  }

  start(): Promise<void> {
    return this.exporters.start()
  }

  shutdown(): Promise<void> {
    return this.exporters.shutdown()
  }

  /** KrakenD's `skip_paths`: the path as declared, or a built-in's prefix (`/__debug/`). */
  private skipped(path: string): boolean {
    if (this.skip.has(path)) return true
    for (const prefix of this.skip) if (prefix.endsWith('/') && path.startsWith(prefix)) return true
    return false
  }
}
