/**
 * Contender: @fastify/http-proxy on fastify 5, proxying `/users/*` to the `users` service, logger
 * off. Both are loaded from perf/node_modules (see peers.ts), so that a missing peer is a clear
 * message.
 */
import type { Server } from 'node:http'
import { exitWithParent, reportFailure, reportReady } from '../child.js'
import type { ServiceName } from '../fixtures.js'
import { importPeer } from '../peers.js'

/** The part of fastify's API the bench uses. */
interface Fastify {
  default: (options: { logger: boolean }) => {
    register(plugin: unknown, options: object): Promise<unknown>
    listen(options: { port: number; host: string }): Promise<string>
    close(): Promise<void>
    server: Server
  }
}

try {
  const urls = JSON.parse(process.env.BENCH_URLS ?? '') as Record<ServiceName, string>
  const { default: Fastify } = await importPeer<Fastify>('fastify')
  const { default: proxy } = await importPeer<{ default: unknown }>('@fastify/http-proxy')
  const app = Fastify({ logger: false })
  await app.register(proxy, { upstream: urls.users, prefix: '/users', rewritePrefix: '/users' })
  await app.listen({ port: 0, host: '127.0.0.1' })
  exitWithParent(() => app.close())
  const address = app.server.address()
  reportReady(typeof address === 'object' && address ? address.port : 0)
} catch (error) {
  reportFailure(error)
}
