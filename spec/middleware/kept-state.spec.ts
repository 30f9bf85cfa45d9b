import t from 'tap'
import { KeptState } from '../../lib/middleware/kept-state.js'

t.test('a successor takes the pieces whose keys it has; the rest is released with the old state', async (t) => {
  const released: string[] = []
  const live = KeptState.fresh()
  const limits = live.keep('endpoint /a limit {"max_rate":1}', () => ({ name: 'limits' }), () => released.push('limits'))
  live.keep('endpoint /b limit {"max_rate":1}', () => ({ name: 'dropped' }), () => released.push('dropped'))

  const next = live.successor()
  t.equal(next.keep('endpoint /a limit {"max_rate":1}', () => ({ name: 'new' })), limits, 'the same key: the same piece')
  const changed = next.keep('endpoint /a limit {"max_rate":2}', () => ({ name: 'changed' }), () => released.push('changed'))
  t.same(changed, { name: 'changed' }, 'another block: a new piece')
  next.adopt()
  await live.release()
  t.same(released, ['dropped'], 'the old state releases only what the new one did not take')
  await next.release()
  t.same(released.sort(), ['changed', 'dropped', 'limits'], 'the new one owns what it took')
})

t.test('a key met twice is two pieces, matched in order', async (t) => {
  const live = KeptState.fresh()
  const first = live.keep('k', () => ({ n: 1 }))
  const second = live.keep('k', () => ({ n: 2 }))
  t.not(first, second)
  const next = live.successor()
  t.equal(next.keep('k', () => ({ n: 3 })), first)
  t.equal(next.keep('k', () => ({ n: 4 })), second)
  t.same(next.keep('k', () => ({ n: 5 })), { n: 5 }, 'a third is new')
})

t.test('a successor that never serves releases what it made, not what it took', async (t) => {
  const released: string[] = []
  const live = KeptState.fresh()
  live.keep('kept', () => 'kept', () => released.push('kept'))
  const failed = live.successor()
  failed.keep('kept', () => 'other')
  failed.keep('made', () => 'made', () => released.push('made'))
  await failed.release()
  t.same(released, ['made'])
  const next = live.successor()
  t.equal(next.keep('kept', () => 'again'), 'kept', 'the live state still has its piece for the next reload')
})
