import type { IncomingMessage, ServerResponse } from 'node:http'
import t from 'tap'
import { json, startBackends } from '../../helpers/http-backend.js'
import { rawRequest } from '../../helpers/raw-request.js'
import { cli, runGateway, writeConfig } from '../../helpers/run-cli.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A backend that answers 503 until `healthy` is set, then JSON. */
function switchable() {
  const state = { healthy: false }
  const handler = (_req: IncomingMessage, res: ServerResponse) => {
    if (state.healthy) res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"id":1,"name":"Ada"}')
    else res.writeHead(503, { 'Content-Type': 'application/json' }).end('{"error":"down"}')
  }
  return { state, handler }
}

const codeOf = (body: string) => (JSON.parse(body) as { error?: { code?: string } }).error?.code

t.test('after more than max_errors failures the backend is not called; after timeout one trial closes it; each change logged', async (t) => {
  const users = switchable()
  const [backend] = await startBackends(t, users.handler)
  const { base, gateway } = await runGateway(t, {
    endpoints: [
      {
        endpoint: '/users/{id}',
        backend: [
          {
            host: [backend!.url],
            url_pattern: '/users/{id}',
            extra_config: { 'qos/circuit-breaker': { interval: 60, timeout: 1, max_errors: 1, name: 'cb-users', log_status_change: true } },
          },
        ],
      },
    ],
  })
  const first = await rawRequest(base, '/users/1')
  t.equal(first.status, 500)
  t.equal(codeOf(first.body), 'RXGATE_ERR_BACKEND_STATUS', 'a bad status is a failure')
  t.equal(codeOf((await rawRequest(base, '/users/1')).body), 'RXGATE_ERR_BACKEND_STATUS', 'the second: more than max_errors 1, the breaker opens')
  t.equal(backend!.seen.length, 2)

  const refused = await rawRequest(base, '/users/1')
  t.equal(refused.status, 500, 'a backend failure, as KrakenD answers it')
  t.same(JSON.parse(refused.body), {
    error: { code: 'RXGATE_ERR_CIRCUIT_OPEN', message: 'a backend of this endpoint is not called for a while after repeated failures' },
  })
  t.equal(refused.headers['x-rxgate-completed'], 'false')
  await rawRequest(base, '/users/2')
  t.equal(backend!.seen.length, 2, 'while open, the backend is not called')

  users.state.healthy = true
  await sleep(1100)
  const trial = await rawRequest(base, '/users/1')
  t.equal(trial.status, 200, 'after timeout, a trial call')
  t.same(JSON.parse(trial.body), { id: 1, name: 'Ada' })
  t.equal((await rawRequest(base, '/users/3')).status, 200, 'its success closed the breaker')
  t.equal(backend!.seen.length, 4)

  await sleep(100)
  const changes = gateway
    .output()
    .split('\n')
    .filter((line) => line.includes('"breaker":"cb-users"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
  t.same(
    changes.map(({ level, backend, from, to, msg }) => ({ level, backend, from, to, msg })),
    [
      { level: 40, backend: 'backend /users/{id}', from: 'closed', to: 'open', msg: 'the circuit breaker "cb-users" of backend /users/{id} went from closed to open' },
      { level: 40, backend: 'backend /users/{id}', from: 'open', to: 'half-open', msg: 'the circuit breaker "cb-users" of backend /users/{id} went from open to half-open' },
      { level: 40, backend: 'backend /users/{id}', from: 'half-open', to: 'closed', msg: 'the circuit breaker "cb-users" of backend /users/{id} went from half-open to closed' },
    ],
  )
})

t.test("a trial that fails opens it again; a backend that misses the endpoint's deadline counts as failing", async (t) => {
  let calls = 0
  const [backend] = await startBackends(t, (_req, res) => {
    calls++
    // hangs: the endpoint's 200 ms deadline ends each call
    res.once('close', () => undefined)
  })
  const { base } = await runGateway(t, {
    endpoints: [
      {
        endpoint: '/slow',
        timeout: '200ms',
        backend: [{ host: [backend!.url], url_pattern: '/slow', extra_config: { 'qos/circuit-breaker': { interval: 60, timeout: 1, max_errors: 0 } } }],
      },
    ],
  })
  const late = await rawRequest(base, '/slow')
  t.equal(codeOf(late.body), 'RXGATE_ERR_TIMEOUT')
  const started = performance.now()
  const refused = await rawRequest(base, '/slow')
  t.equal(codeOf(refused.body), 'RXGATE_ERR_CIRCUIT_OPEN', 'max_errors 0: the first failure, a missed deadline, opened it')
  t.ok(performance.now() - started < 150, 'refused at once, without waiting for the deadline')
  t.equal(calls, 1)

  await sleep(1100)
  t.equal(codeOf((await rawRequest(base, '/slow')).body), 'RXGATE_ERR_TIMEOUT', 'the trial call, late too')
  t.equal(codeOf((await rawRequest(base, '/slow')).body), 'RXGATE_ERR_CIRCUIT_OPEN', 'open again for another timeout')
  t.equal(calls, 2)
})

t.test('one breaker per backend entry: an open one fails its own part only, and the same host in another entry is still called', async (t) => {
  const [broken, healthy] = await startBackends(
    t,
    (_req, res) => res.writeHead(500).end(),
    json({ stock: 3 }),
  )
  const guardedBroken = (extra: Record<string, unknown>) => ({ host: [broken!.url], url_pattern: '/prices', extra_config: extra })
  const { base } = await runGateway(t, {
    endpoints: [
      {
        endpoint: '/product',
        backend: [
          { ...guardedBroken({ 'qos/circuit-breaker': { interval: 60, timeout: 60, max_errors: 0 } }), group: 'price' },
          { host: [healthy!.url], url_pattern: '/stock' },
        ],
      },
      {
        endpoint: '/price',
        // KrakenD's legacy name for the namespace
        backend: [guardedBroken({ 'github_com/devopsfaith/krakend-circuitbreaker/gobreaker': { interval: 60, timeout: 60, max_errors: 0 } })],
      },
    ],
  })
  for (let i = 0; i < 3; i++) {
    const answer = await rawRequest(base, '/product')
    t.equal(answer.status, 200)
    t.same(JSON.parse(answer.body), { stock: 3 }, 'the other backend still answers')
    t.equal(answer.headers['x-rxgate-completed'], 'false')
  }
  t.equal(broken!.seen.length, 1, "/product's breaker opened on its first failure")
  t.equal(healthy!.seen.length, 3)
  t.equal(codeOf((await rawRequest(base, '/price')).body), 'RXGATE_ERR_BACKEND_STATUS', "/price's own breaker was still closed")
  t.equal(codeOf((await rawRequest(base, '/price')).body), 'RXGATE_ERR_CIRCUIT_OPEN')
  t.equal(broken!.seen.length, 2)
})

t.test('a no-op backend is not judged by its status, as KrakenD does not read it', async (t) => {
  const [backend] = await startBackends(t, (_req, res) => res.writeHead(503, { 'Content-Type': 'text/plain' }).end('down'))
  const { base } = await runGateway(t, {
    endpoints: [
      {
        endpoint: '/raw',
        output_encoding: 'no-op',
        backend: [{ host: [backend!.url], url_pattern: '/raw', encoding: 'no-op', extra_config: { 'qos/circuit-breaker': { interval: 60, timeout: 60, max_errors: 0 } } }],
      },
    ],
  })
  for (let i = 0; i < 3; i++) {
    const answer = await rawRequest(base, '/raw')
    t.equal(answer.status, 503)
    t.equal(answer.body, 'down')
  }
  t.equal(backend!.seen.length, 3, 'every call reached the backend')
})

t.test('check: bad values with their JSON paths, a misspelled key with the one meant, and the settings that serve unexpectedly', async (t) => {
  const backend = (extra: Record<string, unknown>) => ({ host: ['http://127.0.0.1:1'], url_pattern: '/a', extra_config: extra })
  const bad = await cli(
    'check',
    '-c',
    writeConfig({
      version: 3,
      endpoints: [
        {
          endpoint: '/a',
          backend: [
            backend({ 'qos/circuit-breaker': { interval: -5, timeout: '10s', max_errors: -1 } }),
            backend({ 'github.com/devopsfaith/krakend-circuitbreaker/gobreaker': { interval: 60, timeout: 10, maxErrors: 1 } }),
            backend({ 'qos/circuit-breaker': { interval: 60, timeout: 10, max_errors: 1.5, log_status_change: 'yes' } }),
          ],
        },
      ],
    }),
  )
  t.equal(bad.code, 1)
  t.match(bad.output, /is not valid \(6 problems\)/)
  t.match(bad.output, '/endpoints/0/backend/0/extra_config/qos~1circuit-breaker/interval: must be >= 0 (got -5)')
  t.match(bad.output, '/endpoints/0/backend/0/extra_config/qos~1circuit-breaker/timeout: must be an integer (got "10s")')
  t.match(bad.output, '/endpoints/0/backend/0/extra_config/qos~1circuit-breaker/max_errors: must be >= 0 (got -1)')
  t.match(bad.output, '/endpoints/0/backend/1/extra_config/github.com~1devopsfaith~1krakend-circuitbreaker~1gobreaker/max_errors: is required')
  t.match(bad.output, '/endpoints/0/backend/2/extra_config/qos~1circuit-breaker/max_errors: must be an integer (got 1.5)')
  t.match(bad.output, '/endpoints/0/backend/2/extra_config/qos~1circuit-breaker/log_status_change: must be a boolean')

  const served = await cli(
    'check',
    '-c',
    writeConfig({
      version: 3,
      endpoints: [
        {
          endpoint: '/a',
          backend: [
            backend({ 'qos/circuit-breaker': { interval: 60, timeout: 0, max_errors: 0, log_satus_change: true } }),
            backend({ 'qos/circuit-breaker': { interval: 0, timeout: 0, max_errors: 0 } }),
          ],
        },
      ],
    }),
  )
  t.equal(served.code, 0, 'max_errors 0 (the first failure opens it) and timeout 0 are valid, as in KrakenD')
  t.match(served.output, "warning: /endpoints/0/backend/0/extra_config/qos~1circuit-breaker/timeout: 0 reads as 60 seconds (gobreaker's default)")
  t.match(served.output, 'warning: /endpoints/0/backend/0/extra_config/qos~1circuit-breaker/log_satus_change: is not a key rxgate knows; did you mean "log_status_change"?')
  t.match(served.output, 'warning: /endpoints/0/backend/1/extra_config/qos~1circuit-breaker: interval, timeout and max_errors are all 0: KrakenD reads this block as no circuit breaker')
})
