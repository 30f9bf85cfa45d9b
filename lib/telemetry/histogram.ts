/**
 * One histogram series with fixed bucket boundaries, as OpenTelemetry's explicit-bucket
 * histogram aggregates it (a value falls in the first bucket whose upper bound is >= it), kept in
 * a typed array so that recording costs a few comparisons and no allocation.
 *
 * @example
 * const latency = new FixedHistogram(TIME_BUCKETS)
 * latency.record(0.012)   // seconds
 * latency.count           // 1
 */
export class FixedHistogram {
  readonly counts: Float64Array
  count = 0
  sum = 0
  min = Infinity
  max = -Infinity

  constructor(readonly boundaries: readonly number[]) {
    this.counts = new Float64Array(boundaries.length + 1)
  }

  record(value: number): void {
    const { boundaries } = this
    let bucket = 0
    while (bucket < boundaries.length && value > boundaries[bucket]!) bucket++
    this.counts[bucket]!++
    this.count++
    this.sum += value
    if (value < this.min) this.min = value
    if (value > this.max) this.max = value
  }
}

/** KrakenD's duration buckets, in seconds (krakend-otel's `TimeBucketsOpt`). */
export const TIME_BUCKETS: readonly number[] = [
  0.01, 0.02, 0.05, 0.075, 0.1, 0.125, 0.15, 0.175, 0.2, 0.25, 0.3, 0.35, 0.5, 0.75, 1, 1.5, 2, 3.5, 5, 10,
]

/** KrakenD's size buckets, in bytes (krakend-otel's `SizeBucketsOpt`). */
export const SIZE_BUCKETS: readonly number[] = [
  128, 256, 512, 1024, 4 * 1024, 8 * 1024, 16 * 1024, 32 * 1024, 64 * 1024, 256 * 1024, 512 * 1024, 1024 * 1024,
  4 * 1024 * 1024, 16 * 1024 * 1024, 64 * 1024 * 1024,
]
