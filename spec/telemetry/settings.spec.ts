import t from 'tap'
import { FixedHistogram, TIME_BUCKETS } from '../../lib/telemetry/histogram.js'
import { routeLabel } from '../../lib/telemetry/route-label.js'
import { UniformSample } from '../../lib/telemetry/sample.js'
import { backendSwitches, proxySwitches, resolveLayers } from '../../lib/telemetry/settings.js'

t.test("layers: KrakenD's defaults", async (t) => {
  const all = resolveLayers(undefined)
  t.same([all.global.metrics, all.global.traces, all.global.propagation, all.proxy.metrics, all.proxy.traces], [true, true, true, true, true], 'no layers: everything on')
  t.same([all.backend.stageMetrics, all.backend.roundTripMetrics, all.backend.traces], [true, true, true], 'round trips included')
  const declared = resolveLayers({ backend: { metrics: { disable_stage: false }, traces: { disable_stage: true } } })
  t.equal(declared.backend.roundTripMetrics, false, 'a declared metrics block reports round trips only when round_trip says so')
  t.equal(declared.backend.traces, false)
  const off = resolveLayers({ global: { disable_metrics: true, disable_propagation: true, metrics_static_attributes: [{ key: 'env', value: 'prod' }, { key: '', value: 'x' }] } })
  t.same([off.global.metrics, off.global.propagation], [false, false])
  t.same(off.global.metricsAttributes, { env: 'prod' }, 'an attribute without a key is dropped, as KrakenD drops it')
})

t.test('an endpoint or a backend overrides the service', async (t) => {
  const proxy = proxySwitches({ disable_traces: true, metrics_static_attributes: [{ key: 'team', value: 'a' }] }, { disable_traces: false, metrics_static_attributes: [{ key: 'owner', value: 'b' }] })
  t.equal(proxy.traces, true)
  t.same(proxy.metricsAttributes, { team: 'a', owner: 'b' })
  const service = resolveLayers(undefined).backend
  const quiet = backendSwitches(service, { backend: { metrics: { disable_stage: true }, traces: { disable_stage: true } } })
  t.same([quiet.stageMetrics, quiet.roundTripMetrics, quiet.traces], [false, false, false], "KrakenD's example: a noisy backend silenced")
  t.same(backendSwitches(service, undefined), service)
})

t.test('routes as KrakenD names them', async (t) => {
  t.equal(routeLabel('/users/{id}/posts/{postId}'), '/users/:id/posts/:postId')
  t.equal(routeLabel('/users/{Id}', { lower: true }), '/users/:id')
  t.equal(routeLabel('/static'), '/static')
})

t.test('a fixed histogram buckets as OpenTelemetry does: a value on a boundary is in that bucket', async (t) => {
  const histogram = new FixedHistogram(TIME_BUCKETS)
  for (const value of [0.005, 0.01, 0.011, 10, 42]) histogram.record(value)
  t.equal(histogram.counts[0], 2, '0.005 and 0.01 are <= 0.01')
  t.equal(histogram.counts[1], 1)
  t.equal(histogram.counts[TIME_BUCKETS.length - 1], 1, '10 in the last finite bucket')
  t.equal(histogram.counts[TIME_BUCKETS.length], 1, '42 above every boundary')
  t.same([histogram.count, histogram.min, histogram.max], [5, 0.005, 42])
  t.equal(Math.round(histogram.sum * 1000) / 1000, 52.026)
})

t.test("go-metrics' sample: percentiles of what it keeps, 1028 values at most", async (t) => {
  const sample = new UniformSample()
  for (let i = 1; i <= 100; i++) sample.update(i)
  t.equal(sample.percentile(0.5), 50.5)
  t.equal(sample.percentile(0.99), 99.99)
  t.same([sample.count, sample.min, sample.max, sample.mean()], [100, 1, 100, 50.5])
  const big = new UniformSample()
  for (let i = 0; i < 100_000; i++) big.update(i)
  t.equal(big.count, 100_000)
  const median = big.percentile(0.5)
  t.ok(median > 40_000 && median < 60_000, `a uniform sample's median is near the middle (${median})`)
})
