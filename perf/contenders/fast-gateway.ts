/**
 * Contender: fast-gateway 3.4.7 (restana + fast-proxy-lite; 5.x does not install from this
 * registry), proxying `/users/*` to the `users` service. Loaded from perf/node_modules (see
 * peers.ts), so that a missing peer is a clear message.
 */
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exitWithParent, reportFailure, reportReady } from '../child.js'
import type { ServiceName } from '../fixtures.js'
import { importPeer } from '../peers.js'

/** The part of fast-gateway's API the bench uses. */
interface FastGateway {
  default: (options: { routes: { prefix: string; target: string; prefixRewrite: string }[] }) => {
    start(port: number, host: string): Promise<unknown>
    close(): Promise<void>
  }
}

try {
  const urls = JSON.parse(process.env.BENCH_URLS ?? '') as Record<ServiceName, string>
  const { default: fastGateway } = await importPeer<FastGateway>('fast-gateway')
  const service = fastGateway({ routes: [{ prefix: '/users', target: urls.users, prefixRewrite: '/users' }] })
  const server = (await service.start(0, '127.0.0.1')) as Server
  exitWithParent(async () => {
    await service.close()
  })
  reportReady((server.address() as AddressInfo).port)
} catch (error) {
  reportFailure(error)
}
