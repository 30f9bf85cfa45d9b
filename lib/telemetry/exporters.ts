import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http'
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import type { Resource } from '@opentelemetry/resources'
import { MeterProvider, PeriodicExportingMetricReader, type MetricReader } from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base'
import { ErrorCodes, RxgateError } from '../errors.js'
import type { MetricStore } from './metric-store.js'
import type { OpenTelemetryOptions, OtlpExporterOptions } from './settings.js'

/** The SDK's providers and exporters of one gateway: started before it listens, flushed when it closes. */
export interface Exporters {
  readonly tracerProvider: BasicTracerProvider | undefined
  readonly start: () => Promise<void>
  readonly shutdown: () => Promise<void>
}

/**
 * The OpenTelemetry SDK set up as the block says: a Prometheus exporter (its own HTTP server,
 * `/metrics`) per `prometheus` entry, a periodic OTLP/HTTP metric reader and an OTLP/HTTP span
 * exporter (batched) per `otlp` entry, the tracer sampling new traces at `trace_sample_rate` and
 * following a client's decision (parent-based). The metrics come from `store`.
 *
 * @example
 * const exporters = makeExporters(options, resource, store)
 * await exporters.start()      // the Prometheus ports listen
 * await exporters.shutdown()   // the last spans and metrics are pushed
 */
export function makeExporters(options: OpenTelemetryOptions, resource: Resource, store: MetricStore): Exporters {
  const pulled = (options.exporters.prometheus ?? []).filter((exporter) => !exporter.disable_metrics)
  const prometheus = pulled
    .map((exporter) => new PrometheusExporter({
      port: exporter.port ?? 9090,
      ...(exporter.listen_ip ? { host: exporter.listen_ip } : {}),
      preventServerStart: true,
      metricProducers: [store],
    }))
  const otlp = options.exporters.otlp ?? []
  const periodMs = Math.max(1, options.metric_reporting_period ?? 30) * 1000
  const readers: MetricReader[] = [
    ...prometheus,
    ...otlp.filter((exporter) => !exporter.disable_metrics).map((exporter) => new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter({ url: `${origin(exporter)}/v1/metrics` }),
      exportIntervalMillis: periodMs,
      exportTimeoutMillis: Math.min(periodMs, 30_000),
      metricProducers: [store],
    })),
  ]
  const meterProvider = readers.length > 0 ? new MeterProvider({ resource, readers }) : undefined
  const spanExporters = otlp.filter((exporter) => !exporter.disable_traces)
  const tracerProvider = spanExporters.length === 0 ? undefined : new BasicTracerProvider({
    resource,
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.trace_sample_rate ?? 1) }),
    spanProcessors: spanExporters.map((exporter) => new BatchSpanProcessor(new OTLPTraceExporter({ url: `${origin(exporter)}/v1/traces` }))),
  })
  return {
    tracerProvider,
    start: async () => {
      await Promise.all(prometheus.map((exporter, i) => exporter.startServer().catch((error: unknown) => {
        const { name, port = 9090, listen_ip: ip } = pulled[i]!
        const code = (error as { code?: string }).code ?? (error as Error).message
        throw new RxgateError(ErrorCodes.BAD_ARGUMENT, `the Prometheus exporter "${name}" cannot listen on ${ip || 'port'} ${port} (${code}): pick a free port`, { port }, { cause: error })
      })))
    },
    shutdown: async () => {
      await Promise.all([meterProvider?.shutdown(), tracerProvider?.shutdown()])
    },
  }
}

/** `http://host:port`: KrakenD's `host` is a name, or a URL's origin when it brings its scheme. */
function origin(exporter: OtlpExporterOptions): string {
  const host = /^https?:\/\//.test(exporter.host) ? exporter.host.replace(/\/+$/, '') : `http://${exporter.host}`
  return `${host}:${exporter.port ?? 4318}`
}
