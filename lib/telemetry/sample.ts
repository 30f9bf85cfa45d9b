/**
 * A histogram as go-metrics keeps one (KrakenD's krakend-metrics): count, min, max, sum, and a
 * uniform sample of 1028 values (Vitter's algorithm R) that percentiles are read from.
 *
 * @example
 * const latency = new UniformSample()
 * latency.update(1_200_000)          // nanoseconds
 * latency.percentile(0.99)
 */
export class UniformSample {
  count = 0
  min = 0
  max = 0
  sum = 0
  private sumOfSquares = 0
  private readonly values: number[] = []

  constructor(private readonly size = 1028) {}

  update(value: number): void {
    if (this.count === 0 || value < this.min) this.min = value
    if (this.count === 0 || value > this.max) this.max = value
    this.count++
    this.sum += value
    this.sumOfSquares += value * value
    if (this.values.length < this.size) this.values.push(value)
    else {
      const slot = Math.floor(Math.random() * this.count)
      if (slot < this.size) this.values[slot] = value
    }
  }

  mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count
  }

  stdDev(): number {
    if (this.count === 0) return 0
    const mean = this.mean()
    return Math.sqrt(Math.max(0, this.sumOfSquares / this.count - mean * mean))
  }

  /** go-metrics' percentile of the sample: interpolated between the two closest ranks. */
  percentile(p: number): number {
    if (this.values.length === 0) return 0
    const sorted = [...this.values].sort((a, b) => a - b)
    const position = p * (sorted.length + 1)
    if (position < 1) return sorted[0]!
    if (position >= sorted.length) return sorted[sorted.length - 1]!
    const lower = sorted[Math.floor(position) - 1]!
    const upper = sorted[Math.floor(position)]!
    return lower + (position - Math.floor(position)) * (upper - lower)
  }
}
