/**
 * Contender: one gateway compiled from a KrakenD file (`GET /users/{id}`, one `json` backend,
 * access log off), served as BENCH_HOST says: `listen` (its own server), `node` (node:http's
 * `createServer(gw.handler())`), `express` (express 5, `app.use(gw.handler())` after one route of
 * the app's own) or `fastify` (fastify 5, `app.register(fastifyRxgate, { gateway })` beside one
 * route of its own, logger off). express and fastify are the project's devDependencies.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fastifyRxgate } from '../../lib/adapters/fastify.js'
import { checkConfig, compileGateway, createLogger, type NodeHandler } from '../../lib/index.js'
import { exitWithParent, reportFailure, reportReady } from '../child.js'
import type { ServiceName } from '../fixtures.js'

/** The part of express's API used here: express ships no types, and the project installs none. */
interface Express {
  default: () => {
    get(path: string, handler: (req: unknown, res: { json(value: unknown): void }) => void): void
    use(handler: NodeHandler): void
    listen(port: number, host: string): Server
  }
}
const EXPRESS: string = 'express'

async function listening(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

try {
  const urls = JSON.parse(process.env.BENCH_URLS ?? '') as Record<ServiceName, string>
  const { config } = checkConfig({
    version: 3,
    timeout: '800ms',
    extra_config: { router: { disable_access_log: true } },
    endpoints: [{ endpoint: '/users/{id}', backend: [{ host: [urls.users], url_pattern: '/users/{id}' }] }],
  })
  const gw = compileGateway(config, { logger: createLogger({ level: 'silent' }) })
  const host = process.env.BENCH_HOST
  if (host === 'listen') {
    const { port } = await gw.listen(0, '127.0.0.1')
    exitWithParent(() => gw.close())
    reportReady(port)
  } else if (host === 'node') {
    const server = createServer(gw.handler())
    const port = await listening(server)
    exitWithParent(async () => {
      server.closeAllConnections()
      await gw.close()
    })
    reportReady(port)
  } else if (host === 'express') {
    const { default: express } = (await import(EXPRESS)) as Express
    const app = express()
    app.get('/status', (_req, res) => res.json({ ok: true }))
    app.use(gw.handler())
    const server = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    exitWithParent(async () => {
      server.closeAllConnections()
      await gw.close()
    })
    reportReady((server.address() as AddressInfo).port)
  } else if (host === 'fastify') {
    const { default: Fastify } = await import('fastify')
    const app = Fastify({ logger: false })
    app.get('/status', async () => ({ ok: true }))
    await app.register(fastifyRxgate, { gateway: gw })
    await app.listen({ port: 0, host: '127.0.0.1' })
    exitWithParent(async () => {
      app.server.closeAllConnections()
      await app.close()
    })
    reportReady((app.server.address() as AddressInfo).port)
  } else {
    throw new Error(`BENCH_HOST must be listen, node, express or fastify, not ${host}`)
  }
} catch (error) {
  reportFailure(error)
}
