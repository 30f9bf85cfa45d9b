import { SIZE_BUCKETS, TIME_BUCKETS, type FixedHistogram } from './histogram.js'
import type { CounterSeries, MetricStore, SeriesFamily } from './metric-store.js'

/**
 * The metrics rxgate reports, under KrakenD's names (krakend-otel): the global layer's
 * `http.server.*`, the proxy and backend stages' `krakend.*.duration`, and the backend round
 * trips' `http.client.*`; plus `http.server.active_requests`, OpenTelemetry's name for requests in
 * flight. Durations are seconds, sizes bytes, in KrakenD's buckets.
 */
export interface Instruments {
  readonly serverDuration: SeriesFamily<FixedHistogram>
  readonly activeRequests: SeriesFamily<CounterSeries>
  readonly proxyDuration: SeriesFamily<FixedHistogram>
  readonly backendDuration: SeriesFamily<FixedHistogram>
  readonly clientDuration: SeriesFamily<FixedHistogram>
  readonly clientResponseSize: SeriesFamily<FixedHistogram>
  readonly clientStarted: SeriesFamily<CounterSeries>
  readonly clientFailed: SeriesFamily<CounterSeries>
  readonly clientCanceled: SeriesFamily<CounterSeries>
  readonly clientTimedOut: SeriesFamily<CounterSeries>
}

/** Declares rxgate's metrics in a store. */
export function instruments(store: MetricStore): Instruments {
  return {
    serverDuration: store.histogram('http.server.duration', 'Time from a request to its answer, whatever answered it', TIME_BUCKETS),
    activeRequests: store.upDownCounter('http.server.active_requests', 'Requests being answered'),
    proxyDuration: store.histogram('krakend.proxy.duration', "Time an endpoint's pipeline took to answer", TIME_BUCKETS),
    backendDuration: store.histogram('krakend.backend.duration', 'Time a backend call took, its body read and decoded', TIME_BUCKETS),
    clientDuration: store.histogram('http.client.duration', "Time until a backend's answer head arrived", TIME_BUCKETS),
    clientResponseSize: store.histogram('http.client.response.size', "A backend answer's Content-Length", SIZE_BUCKETS),
    clientStarted: store.counter('http.client.request.started.count', 'Backend calls started'),
    clientFailed: store.counter('http.client.request.failed.count', 'Backend calls that failed (timed out ones included)'),
    clientCanceled: store.counter('http.client.request.canceled.count', 'Backend calls cancelled because the client went away'),
    clientTimedOut: store.counter('http.client.request.timedout.count', 'Backend calls cut by their deadline'),
  }
}
