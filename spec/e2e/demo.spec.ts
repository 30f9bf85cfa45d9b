import t from 'tap'
import { freePort, runNode } from '../helpers/spawn-node.js'

t.test('npm start: the front-page demo answers the small merged document', async (t) => {
  const port = await freePort()
  const demo = runNode('dist/examples/frontpage/main.js', [], { PORT: String(port) })
  t.teardown(() => void demo.child.kill('SIGKILL'))
  await demo.waitFor('rxgate listening')

  const one = await fetch(`http://127.0.0.1:${port}/frontpage/1`)
  t.equal(one.status, 200)
  t.equal(one.headers.get('x-rxgate-completed'), 'true')
  t.same(await one.json(), {
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    cart: {
      items: [
        { title: 'Sketch of the Analytical Engine', qty: 1 },
        { title: 'Fountain pen', qty: 2 },
      ],
      total: 44,
    },
    posts: [
      { id: 101, title: 'Notes on the engine' },
      { id: 102, title: 'On Bernoulli numbers' },
      { id: 103, title: 'Poetical science' },
    ],
    unread_notifications: 3,
  })

  const two = await fetch(`http://127.0.0.1:${port}/frontpage/2`)
  t.equal(two.status, 200)
  t.equal(two.headers.get('x-rxgate-completed'), 'false', 'notifications are late for user 2')
  const partial = (await two.json()) as Record<string, unknown>
  t.equal(partial.name, 'User 2')
  t.notOk('unread_notifications' in partial)

  demo.child.kill('SIGTERM')
  t.equal(await demo.exited, 0, 'a clean exit on SIGTERM')
})
