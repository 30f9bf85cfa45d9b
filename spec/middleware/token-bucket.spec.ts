import t from 'tap'
import { defaultCapacity, retryAfterSeconds, TokenBucket } from '../../lib/middleware/token-bucket.js'

/** A clock the test moves by hand, in milliseconds. */
function manualClock(start = 1000) {
  let now = start
  return { now: () => now, advance: (ms: number) => (now += ms) }
}

t.test('full at start: capacity requests at once, then one per interval (spike arrest)', async (t) => {
  const clock = manualClock()
  const bucket = new TokenBucket({ max_rate: 5, every: '1s', capacity: 10 }, clock.now)
  for (let i = 0; i < 10; i++) t.ok(bucket.take(), `token ${i + 1} of the burst`)
  t.notOk(bucket.take(), 'empty')
  t.equal(bucket.wait(), 200, 'the next token comes 1s / 5 later')
  clock.advance(199)
  t.notOk(bucket.take(), 'not a millisecond early')
  clock.advance(1)
  t.ok(bucket.take())
  t.notOk(bucket.take(), 'one token per 200 ms once empty')
})

t.test('refills at max_rate per every, never past capacity', async (t) => {
  const clock = manualClock()
  const bucket = new TokenBucket({ max_rate: 300, every: '1m', capacity: 3 }, clock.now)
  t.equal(bucket.interval, 200, '300 per minute is one per 200 ms')
  for (let i = 0; i < 3; i++) bucket.take()
  clock.advance(60_000)
  let taken = 0
  while (bucket.take()) taken++
  t.equal(taken, 3, 'a minute left alone refills to capacity, not to 300')
  clock.advance(400)
  t.ok(bucket.take())
  t.ok(bucket.take())
  t.notOk(bucket.take(), 'two intervals, two tokens')
})

t.test('fractional rates: 0.5 per second is one request every 2 s', async (t) => {
  const clock = manualClock()
  const bucket = new TokenBucket({ max_rate: 0.5 }, clock.now)
  t.equal(bucket.capacity, 1, 'under one per second the default capacity is 1')
  t.ok(bucket.take())
  t.notOk(bucket.take())
  clock.advance(1999)
  t.notOk(bucket.take())
  t.equal(bucket.wait(), 1)
  clock.advance(1)
  t.ok(bucket.take())
})

t.test('over a long run, a bucket lets through its rate plus its burst', async (t) => {
  const clock = manualClock()
  const bucket = new TokenBucket({ max_rate: 7.5, every: '1s', capacity: 4 }, clock.now)
  let passed = 0
  // a client asking every millisecond for 100 s
  for (let ms = 0; ms < 100_000; ms++) {
    if (bucket.take()) passed++
    clock.advance(1)
  }
  t.equal(passed, 4 + 749, 'the burst of 4 at start, then one every 133.3 ms: 749 more in 99.999 s')
})

t.test("KrakenD's default capacity: the rate per second, rounded down, at least 1", async (t) => {
  t.equal(defaultCapacity(50, 1000), 50)
  t.equal(defaultCapacity(50, 600_000), 1, '50 every 10 minutes is under one per second')
  t.equal(defaultCapacity(0.7, 100), 7, 'no rounding error: 0.7 per 100 ms is 7 per second')
  t.equal(defaultCapacity(2.9, 1000), 2)
  t.equal(new TokenBucket({ max_rate: 20 }).capacity, 20)
})

t.test('bad shapes are refused when the bucket is made', async (t) => {
  t.throws(() => new TokenBucket({ max_rate: 0 }), { code: 'RXGATE_ERR_BAD_ARGUMENT', message: /max_rate must be a number above 0/ })
  t.throws(() => new TokenBucket({ max_rate: -1 }), { code: 'RXGATE_ERR_BAD_ARGUMENT' })
  t.throws(() => new TokenBucket({ max_rate: Number.NaN }), { code: 'RXGATE_ERR_BAD_ARGUMENT' })
  t.throws(() => new TokenBucket({ max_rate: 1, capacity: 0 }), { message: /capacity must be a whole number of at least 1/ })
  t.throws(() => new TokenBucket({ max_rate: 1, capacity: 1.5 }), { code: 'RXGATE_ERR_BAD_ARGUMENT' })
  t.throws(() => new TokenBucket({ max_rate: 1, every: '0s' }), { message: /every must be a duration above 0/ })
  t.throws(() => new TokenBucket({ max_rate: 1, every: 'soon' }), { code: 'RXGATE_ERR_BAD_DURATION' })
})

t.test('the state alone: spend and waitFrom, for stores of many buckets', async (t) => {
  const bucket = new TokenBucket({ max_rate: 1, capacity: 2 })
  const first = bucket.spend(0, 5000)
  t.equal(first, 6000, 'a bucket never seen is full; one token out, full again a second later')
  const second = bucket.spend(first, 5000)
  t.equal(second, 7000)
  t.ok(Number.isNaN(bucket.spend(second, 5000)), 'empty: NaN, state unchanged')
  t.equal(bucket.waitFrom(second, 5000), 1000)
  t.equal(bucket.waitFrom(second, 7000), 0, 'full again')
})

t.test('Retry-After: whole seconds, at least 1', async (t) => {
  t.equal(retryAfterSeconds(0), '1')
  t.equal(retryAfterSeconds(200), '1')
  t.equal(retryAfterSeconds(1000), '1')
  t.equal(retryAfterSeconds(1001), '2')
  t.equal(retryAfterSeconds(599_500), '600')
})
