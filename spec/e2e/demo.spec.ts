import { readFileSync } from 'node:fs'
import t from 'tap'
import { startDemoBackends } from '../../examples/frontpage/backends.js'
import { runGateway } from '../helpers/run-cli.js'
import { ROOT, freePort, runNode } from '../helpers/spawn-node.js'

const FRONTPAGE_1 = {
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
}

t.test('npm start: the front-page demo answers the small merged document', async (t) => {
  const port = await freePort()
  const demo = runNode('dist/examples/frontpage/main.js', [], { PORT: String(port) })
  t.teardown(() => void demo.child.kill('SIGKILL'))
  await demo.waitFor('rxgate listening')

  const one = await fetch(`http://127.0.0.1:${port}/frontpage/1`)
  t.equal(one.status, 200)
  t.equal(one.headers.get('x-rxgate-completed'), 'true')
  t.same(await one.json(), FRONTPAGE_1)

  const two = await fetch(`http://127.0.0.1:${port}/frontpage/2`)
  t.equal(two.status, 200)
  t.equal(two.headers.get('x-rxgate-completed'), 'false', 'notifications are late for user 2')
  const partial = (await two.json()) as Record<string, unknown>
  t.equal(partial.name, 'User 2')
  t.notOk('unread_notifications' in partial)
  await demo.waitFor('"msg":"partial answer"')
  t.match(demo.output(), /"failures":\[\{"source":"notifications","code":"RXGATE_ERR_TIMEOUT","message":"source \\"notifications\\" did not answer within 800ms"\}\]/, 'the log names the late source')

  demo.child.kill('SIGTERM')
  t.equal(await demo.exited, 0, 'a clean exit on SIGTERM')
})

t.test('the front page as a KrakenD file: the same document through `rxgate run`', async (t) => {
  const services = await startDemoBackends()
  t.teardown(() => services.close())
  const file = JSON.parse(readFileSync(`${ROOT}examples/frontpage/krakend.json`, 'utf8')) as {
    endpoints: { backend: { host: string[] }[] }[]
  }
  const hosts = [services.users, services.carts, services.posts, services.notifications]
  file.endpoints[0]!.backend.forEach((backend, index) => (backend.host = [hosts[index]!]))
  const { base } = await runGateway(t, file)
  const one = await fetch(`${base}/frontpage/1`)
  t.equal(one.headers.get('x-rxgate-completed'), 'true')
  t.same(await one.json(), FRONTPAGE_1)
  const two = await fetch(`${base}/frontpage/2`)
  t.equal(two.headers.get('x-rxgate-completed'), 'false', 'notifications are late for user 2')
})
