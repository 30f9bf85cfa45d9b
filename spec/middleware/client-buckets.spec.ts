import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import t from 'tap'
import { ClientBuckets, MAX_CLIENTS } from '../../lib/middleware/client-buckets.js'
import { TokenBucket } from '../../lib/middleware/token-bucket.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** Heap in use after a full collection, in bytes. */
function heapUsed(): number {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

function manualClock(start = 1000) {
  let now = start
  return { now: () => now, advance: (ms: number) => (now += ms) }
}

const MB = 1024 * 1024

t.test('each client has its own bucket', async (t) => {
  const clock = manualClock()
  const clients = new ClientBuckets(new TokenBucket({ max_rate: 2, capacity: 2 }, clock.now), {}, clock.now)
  t.equal(clients.take('ada'), 0)
  t.equal(clients.take('ada'), 0)
  t.equal(clients.take('ada'), 500, "ada's third request waits 500 ms")
  t.equal(clients.take('grace'), 0, "grace's bucket is untouched")
  clock.advance(500)
  t.equal(clients.take('ada'), 0)
})

t.test('clients left alone are forgotten, and only once their bucket is full again', async (t) => {
  const clock = manualClock()
  // a bucket that takes 10 s to refill; cleanup_period 1 s cannot forget it sooner
  const clients = new ClientBuckets(new TokenBucket({ max_rate: 1, capacity: 10 }, clock.now), { cleanupPeriod: 1000 }, clock.now)
  const burst = (client: string) => {
    let passed = 0
    while (clients.take(client) === 0) passed++
    return passed
  }
  t.equal(burst('ada'), 10)
  for (let i = 0; i < 100; i++) clients.take(`client-${i}`)
  t.equal(clients.size, 101)
  clock.advance(5_000)
  clients.take('grace')
  t.equal(clients.size, 102, 'nothing forgotten before the refill time')
  t.equal(burst('ada'), 5, 'ada, 5 s later, has 5 tokens: her spent bucket was kept')
  clock.advance(10_000)
  clients.take('grace')
  clock.advance(10_000)
  clients.take('grace')
  t.equal(clients.size, 2, 'two periods later only grace, who kept asking, is remembered (in both generations)')
  t.equal(burst('ada'), 10, 'forgotten, ada comes back to a full bucket: what she had refilled to anyway')
})

t.test('a client that keeps asking is never forgotten', async (t) => {
  const clock = manualClock()
  const clients = new ClientBuckets(new TokenBucket({ max_rate: 1, capacity: 2 }, clock.now), { cleanupPeriod: 2000 }, clock.now)
  let passed = 0
  for (let ms = 0; ms < 60_000; ms += 100) {
    if (clients.take('ada') === 0) passed++
    clock.advance(100)
  }
  t.equal(passed, 2 + 59, 'one per second after the burst of two, across thirty generations')
})

t.test('1,000,000 distinct client keys: memory stays bounded', async (t) => {
  const clock = manualClock()
  const clients = new ClientBuckets(new TokenBucket({ max_rate: 10, capacity: 10 }, clock.now), {}, clock.now)
  const before = heapUsed()
  let most = 0
  for (let i = 0; i < 1_000_000; i++) {
    clients.take(`2001:db8::${i.toString(16)}`)
    if (clients.size > most) most = clients.size
    clock.advance(0.001)
  }
  const grown = (heapUsed() - before) / MB
  t.ok(most <= MAX_CLIENTS, `at most ${MAX_CLIENTS} clients remembered at once (${most} at the most)`)
  t.ok(grown < 40, `the heap grew ${grown.toFixed(1)} MB for a million clients, under 40 MB`)
  const perClient = (grown * MB) / clients.size
  t.ok(perClient < 160, `about ${perClient.toFixed(0)} bytes per remembered client`)
  t.comment(`1,000,000 distinct keys: ${clients.size} remembered at the end, heap +${grown.toFixed(1)} MB (${perClient.toFixed(0)} B a client)`)
})

t.test('long keys (a token, a large header) are kept as their digest', async (t) => {
  const clock = manualClock()
  const clients = new ClientBuckets(new TokenBucket({ max_rate: 1, capacity: 1 }, clock.now), {}, clock.now)
  const token = (i: number) => `Bearer ${'x'.repeat(4096)}${i}`
  const before = heapUsed()
  let admitted = 0
  for (let i = 0; i < 20_000; i++) if (clients.take(token(i)) === 0) admitted++
  t.equal(admitted, 20_000, "each long key is its own client")
  const grown = (heapUsed() - before) / MB
  t.ok(grown < 8, `20,000 distinct 4 KiB keys grew the heap ${grown.toFixed(1)} MB, not 80 MB`)
  t.ok(clients.take(token(7)) > 0, 'the same long key is the same client')
  t.equal(clients.take(token(20_000)), 0, 'another one is another client')
})

t.test('a flood of new clients past the bound forgets the quietest early, never grows', async (t) => {
  const clock = manualClock()
  const clients = new ClientBuckets(new TokenBucket({ max_rate: 1, capacity: 1 }, clock.now), { maxClients: 100 }, clock.now)
  for (let i = 0; i < 10_000; i++) clients.take(`flood-${i}`)
  t.ok(clients.size <= 100)
  t.equal(clients.take('ada'), 0)
  t.ok(clients.take('ada') > 0, 'a client still asking is still limited in the middle of the flood')
})
