import type { Attributes } from '@opentelemetry/api'

/**
 * The service's `telemetry/opentelemetry` block, as KrakenD documents it: what `gateway({
 * telemetry })` takes in code, and what a file's namespace holds.
 *
 * @example
 * gateway({ telemetry: {
 *   service_name: 'frontpage',
 *   exporters: { prometheus: [{ name: 'local', port: 9090 }], otlp: [{ name: 'tempo', host: 'localhost', port: 4318, use_http: true }] },
 *   trace_sample_rate: 0.05,
 * } })
 */
export interface OpenTelemetryOptions {
  /** Default: the file's `name`, else `rxgate`. */
  readonly service_name?: string
  readonly service_version?: string
  /** Reported as the resource's `deployment.environment`. */
  readonly deploy_env?: string
  /** Seconds between two OTLP metric exports. Default 30. */
  readonly metric_reporting_period?: number
  /** The share of new traces recorded, 0 to 1 (a client's sampled trace is always continued). Default 1. */
  readonly trace_sample_rate?: number
  /** Endpoints (as declared, `/users/{id}`) not reported. Default the built-in ones. */
  readonly skip_paths?: readonly string[]
  readonly exporters: {
    readonly prometheus?: readonly PrometheusExporterOptions[]
    readonly otlp?: readonly OtlpExporterOptions[]
  }
  readonly layers?: {
    readonly global?: GlobalLayer
    readonly proxy?: ProxyLayer
    readonly backend?: { readonly metrics?: BackendMetricsLayer; readonly traces?: BackendTracesLayer }
  }
}

export interface PrometheusExporterOptions {
  readonly name: string
  /** Default 9090. */
  readonly port?: number
  /** Default: all interfaces. */
  readonly listen_ip?: string
  readonly disable_metrics?: boolean
  /** Accepted; Node's process metrics are not reported. */
  readonly process_metrics?: boolean
  /** Accepted; there is no Go runtime to report. */
  readonly go_metrics?: boolean
}

export interface OtlpExporterOptions {
  readonly name: string
  /** `collector`, or with its scheme `https://collector`. */
  readonly host: string
  /** Default 4318. */
  readonly port?: number
  /** rxgate speaks OTLP over HTTP (JSON) only: must be true. */
  readonly use_http?: boolean
  readonly disable_metrics?: boolean
  readonly disable_traces?: boolean
}

export interface StaticAttribute {
  readonly key: string
  readonly value: string
}

export interface GlobalLayer {
  readonly disable_metrics?: boolean
  readonly disable_traces?: boolean
  /** Ignore a client's `traceparent`: every trace starts here. */
  readonly disable_propagation?: boolean
  readonly report_headers?: boolean
  readonly metrics_static_attributes?: readonly StaticAttribute[]
  readonly traces_static_attributes?: readonly StaticAttribute[]
}

export interface ProxyLayer {
  readonly disable_metrics?: boolean
  readonly disable_traces?: boolean
  readonly report_headers?: boolean
  readonly metrics_static_attributes?: readonly StaticAttribute[]
  readonly traces_static_attributes?: readonly StaticAttribute[]
}

export interface BackendMetricsLayer {
  readonly disable_stage?: boolean
  readonly round_trip?: boolean
  readonly read_payload?: boolean
  readonly detailed_connection?: boolean
  readonly static_attributes?: readonly StaticAttribute[]
}

export interface BackendTracesLayer extends BackendMetricsLayer {
  readonly report_headers?: boolean
}

/** An endpoint's `telemetry/opentelemetry` block (`RouteOptions.telemetry` in code). */
export interface EndpointTelemetryOptions {
  readonly proxy?: ProxyLayer
}

/** A backend's `telemetry/opentelemetry` block (`BackendOptions.telemetry` in code). */
export interface BackendTelemetryOptions {
  readonly proxy?: ProxyLayer
  readonly backend?: { readonly metrics?: BackendMetricsLayer; readonly traces?: BackendTracesLayer }
}

/** The `telemetry/metrics` block (KrakenD's krakend-metrics and its `/__stats` endpoint). */
export interface StatsOptions {
  /** `:8090` by default. */
  readonly listen_address?: string
  /** How often the snapshot `/__stats` serves is taken. Default 60s. */
  readonly collection_time?: string
  readonly proxy_disabled?: boolean
  readonly router_disabled?: boolean
  readonly backend_disabled?: boolean
  readonly endpoint_disabled?: boolean
}

/** KrakenD's default skip list: the built-in endpoints. */
export const DEFAULT_SKIP_PATHS: readonly string[] = ['/__health', '/__debug/', '/__echo/', '/__stats/']

/** What one layer reports, with its attributes ready. */
export interface LayerSwitches {
  readonly metrics: boolean
  readonly traces: boolean
  readonly reportHeaders: boolean
  readonly metricsAttributes: Attributes
  readonly tracesAttributes: Attributes
}

export interface BackendSwitches {
  /** `krakend.backend.duration`. */
  readonly stageMetrics: boolean
  /** `http.client.*`. */
  readonly roundTripMetrics: boolean
  /** A span per call. */
  readonly traces: boolean
  readonly reportHeaders: boolean
  readonly metricsAttributes: Attributes
  readonly tracesAttributes: Attributes
}

/** The layers with KrakenD's defaults filled in: everything on when `layers` is absent. */
export interface ResolvedLayers {
  readonly global: LayerSwitches & { readonly propagation: boolean }
  readonly proxy: LayerSwitches
  readonly backend: BackendSwitches
}

/**
 * KrakenD's defaults (krakend-otel's `FromLura`): a layer not declared reports everything,
 * round trips included; a declared backend `metrics` or `traces` block reports its stage, and its
 * round trips only when `round_trip` says so.
 *
 * @example
 * resolveLayers(undefined).backend.roundTripMetrics                                  // true
 * resolveLayers({ backend: { metrics: { disable_stage: false } } }).backend.roundTripMetrics   // false
 */
export function resolveLayers(layers: OpenTelemetryOptions['layers']): ResolvedLayers {
  const global = layers?.global ?? {}
  const proxy = layers?.proxy ?? {}
  const metrics = layers?.backend?.metrics ?? { round_trip: true, read_payload: true, detailed_connection: true }
  const traces = layers?.backend?.traces ?? { round_trip: true, read_payload: true, detailed_connection: true }
  return {
    global: {
      metrics: !global.disable_metrics,
      traces: !global.disable_traces,
      propagation: !global.disable_propagation,
      reportHeaders: global.report_headers === true,
      metricsAttributes: attributes(global.metrics_static_attributes),
      tracesAttributes: attributes(global.traces_static_attributes),
    },
    proxy: proxySwitches(proxy),
    backend: {
      stageMetrics: !metrics.disable_stage,
      roundTripMetrics: metrics.round_trip === true,
      traces: !traces.disable_stage || traces.round_trip === true,
      reportHeaders: (traces as BackendTracesLayer).report_headers === true,
      metricsAttributes: attributes(metrics.static_attributes),
      tracesAttributes: attributes(traces.static_attributes),
    },
  }
}

/** An endpoint's proxy layer: the service's, with the endpoint's switches and its attributes added. */
export function proxySwitches(service: ProxyLayer, own?: ProxyLayer): LayerSwitches {
  return {
    metrics: !(own?.disable_metrics ?? service.disable_metrics),
    traces: !(own?.disable_traces ?? service.disable_traces),
    reportHeaders: (own?.report_headers ?? service.report_headers) === true,
    metricsAttributes: { ...attributes(service.metrics_static_attributes), ...attributes(own?.metrics_static_attributes) },
    tracesAttributes: { ...attributes(service.traces_static_attributes), ...attributes(own?.traces_static_attributes) },
  }
}

/** A backend's switches: the service's backend layer, overridden by the backend's own block. */
export function backendSwitches(service: BackendSwitches, own: BackendTelemetryOptions | undefined): BackendSwitches {
  const metrics = own?.backend?.metrics
  const traces = own?.backend?.traces
  const proxyOff = own?.proxy
  return {
    stageMetrics: !(metrics?.disable_stage ?? proxyOff?.disable_metrics ?? !service.stageMetrics),
    roundTripMetrics: metrics?.disable_stage === true ? false : (metrics?.round_trip ?? service.roundTripMetrics),
    traces: !(traces?.disable_stage ?? proxyOff?.disable_traces ?? !service.traces),
    reportHeaders: traces?.report_headers ?? service.reportHeaders,
    metricsAttributes: { ...service.metricsAttributes, ...attributes(metrics?.static_attributes) },
    tracesAttributes: { ...service.tracesAttributes, ...attributes(traces?.static_attributes) },
  }
}

/** Static attributes as OpenTelemetry takes them; entries without a key or a value are dropped, as KrakenD drops them. */
function attributes(list: readonly StaticAttribute[] | undefined): Attributes {
  const result: Record<string, string> = {}
  for (const { key, value } of list ?? []) if (key && value) result[key] = value
  return result
}
