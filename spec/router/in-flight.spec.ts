import t from 'tap'
import { InFlight } from '../../lib/router/in-flight.js'

t.test('counts what is added and removed, and walks it newest first', async (t) => {
  const inFlight = new InFlight<string>()
  const a = inFlight.add('a')
  const b = inFlight.add('b')
  const c = inFlight.add('c')
  t.equal(inFlight.size, 3)
  t.same([...inFlight], ['c', 'b', 'a'])
  t.equal(inFlight.remove(b), true, 'from the middle')
  t.same([...inFlight], ['c', 'a'])
  t.equal(inFlight.remove(b), false, 'a second remove does nothing')
  t.equal(inFlight.size, 2)
  t.equal(inFlight.remove(c), true, 'the newest')
  inFlight.add('d')
  t.same([...inFlight], ['d', 'a'])
  t.equal(inFlight.remove(a), true, 'the oldest')
  t.same([...inFlight], ['d'])
  t.equal(inFlight.size, 1)
})

t.test('a removed entry keeps no link to the others', async (t) => {
  const inFlight = new InFlight<number>()
  const first = inFlight.add(1)
  inFlight.add(2)
  const third = inFlight.add(3)
  inFlight.add(4)
  inFlight.remove(third)
  inFlight.remove(first)
  t.match(third, { value: 3, newer: undefined, older: undefined, removed: true })
  t.match(first, { value: 1, newer: undefined, older: undefined, removed: true })
  t.same([...inFlight], [4, 2])
})

t.test('removing while walking (closing every connection) reaches each one once', async (t) => {
  const inFlight = new InFlight<{ id: number }>()
  const entries = [1, 2, 3, 4].map((id) => inFlight.add({ id }))
  const seen: number[] = []
  for (const item of inFlight) {
    seen.push(item.id)
    inFlight.remove(entries[item.id - 1]!)
    if (item.id === 3) inFlight.remove(entries[0]!)
  }
  t.same(seen, [4, 3, 2, 1], 'a walk sees what was there when it began')
  t.equal(inFlight.size, 0)
  t.same([...inFlight], [])
})
