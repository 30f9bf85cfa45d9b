/**
 * Contender: @fastify/http-proxy on fastify 5 (devDependencies), proxying `/users/*` to the
 * `users` service, logger off. Imported dynamically so that a missing peer is a clear message.
 */
import { exitWithParent, reportFailure, reportReady } from '../child.js'
import type { ServiceName } from '../fixtures.js'

try {
  const urls = JSON.parse(process.env.BENCH_URLS ?? '') as Record<ServiceName, string>
  const { default: Fastify } = await import('fastify').catch(() => {
    throw new Error('fastify is not installed: npm i -D fastify@5')
  })
  const { default: proxy } = await import('@fastify/http-proxy').catch(() => {
    throw new Error('@fastify/http-proxy is not installed: npm i -D @fastify/http-proxy')
  })
  const app = Fastify({ logger: false })
  await app.register(proxy, { upstream: urls.users, prefix: '/users', rewritePrefix: '/users' })
  await app.listen({ port: 0, host: '127.0.0.1' })
  exitWithParent(() => app.close())
  const address = app.server.address()
  reportReady(typeof address === 'object' && address ? address.port : 0)
} catch (error) {
  reportFailure(error)
}
