/**
 * Contender: fast-gateway 3.4.7 (restana + fast-proxy-lite; 5.x does not install from this
 * registry), proxying `/users/*` to the `users` service. Imported dynamically so that a missing
 * peer is a clear message.
 */
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exitWithParent, reportFailure, reportReady } from '../child.js'
import type { ServiceName } from '../fixtures.js'

try {
  const urls = JSON.parse(process.env.BENCH_URLS ?? '') as Record<ServiceName, string>
  const { default: fastGateway } = await import('fast-gateway').catch(() => {
    throw new Error('fast-gateway is not installed: npm i -D fast-gateway@3.4.7')
  })
  const service = fastGateway({ routes: [{ prefix: '/users', target: urls.users, prefixRewrite: '/users' }] })
  const server = (await service.start(0, '127.0.0.1')) as Server
  exitWithParent(async () => {
    await service.close()
  })
  reportReady((server.address() as AddressInfo).port)
} catch (error) {
  reportFailure(error)
}
