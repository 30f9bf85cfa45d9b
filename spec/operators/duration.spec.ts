import t from 'tap'
import { toMilliseconds } from '../../operators/duration.js'

t.test('reads numbers and Go-style strings', async (t) => {
  t.equal(toMilliseconds(800), 800)
  t.equal(toMilliseconds('800ms'), 800)
  t.equal(toMilliseconds('3s'), 3000)
  t.equal(toMilliseconds('1m30s'), 90_000)
  t.equal(toMilliseconds('1.5s'), 1500)
})

t.test('rejects what it cannot read, with the code and a hint', async (t) => {
  for (const bad of ['', 'fast', '10', '3 s', '-1s', -5, Number.NaN]) {
    t.throws(() => toMilliseconds(bad as never), { code: 'RXGATE_ERR_BAD_DURATION' }, String(bad))
  }
})
