import type { Test } from 'tap'
import { checkConfig } from '../../lib/config/index.js'
import type { Gateway } from '../../lib/gateway.js'
import { compileGateway } from '../../lib/pipeline/compile.js'
import { createLogger } from '../../lib/logger.js'
import { httpBackend, sendJson, type TestBackend } from '../fixtures/backends.js'

export interface SampleGateway {
  readonly gateway: Gateway
  readonly users: TestBackend
  /** Echoes the body it receives: `{ "received": <its text> }`. */
  readonly orders: TestBackend
}

/**
 * A gateway compiled from a KrakenD file, as a user mounts one, over real local backends:
 * `GET /users/{id}` (one field kept), `GET /frontpage/{id}` (a second backend that misses the
 * endpoint's 300ms deadline: a partial answer), `POST /orders` (the body sent on), `GET /broken`
 * (its only backend fails: rxgate's 500). Closed when the test ends.
 */
export async function sampleGateway(t: Test): Promise<SampleGateway> {
  const users = await httpBackend((req, res) => sendJson(res, { id: req.url?.split('/').at(-1), name: 'Ada', secret: 's3cret' }))
  const slow = await httpBackend((_req, res) => {
    const timer = setTimeout(() => sendJson(res, { late: true }), 5000)
    res.once('close', () => clearTimeout(timer))
  })
  const orders = await httpBackend((_req, res, seen) => sendJson(res, { received: seen.body.toString() }))
  const down = await httpBackend((_req, res) => res.writeHead(503).end('db-7 is down'))
  t.teardown(() => Promise.all([users, slow, orders, down].map((backend) => backend.close())))
  const { config } = checkConfig({
    version: 3,
    endpoints: [
      { endpoint: '/users/{id}', backend: [{ host: [users.origin], url_pattern: '/users/{id}', allow: ['id', 'name'] }] },
      {
        endpoint: '/frontpage/{id}',
        timeout: '300ms',
        backend: [
          { host: [users.origin], url_pattern: '/users/{id}', allow: ['name'] },
          { host: [slow.origin], url_pattern: '/notifications/{id}', group: 'notifications' },
        ],
      },
      { endpoint: '/orders', method: 'POST', backend: [{ host: [orders.origin], url_pattern: '/orders', method: 'POST' }] },
      { endpoint: '/broken', backend: [{ host: [down.origin], url_pattern: '/x' }] },
    ],
  })
  const gateway = compileGateway(config, { logger: createLogger({ level: 'silent' }) })
  t.teardown(() => gateway.close())
  return { gateway, users, orders }
}
