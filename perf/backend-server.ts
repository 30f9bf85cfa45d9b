/**
 * The backends as a small Node process, when nginx is missing and the bench cannot install it (or
 * BENCH_BACKENDS=node): one loopback server per service, each answering any request with its
 * fixture body (precomputed bytes, Content-Length set, so both contenders read a known-length
 * body). Reports `{ users: port, ... }` once ready.
 */
import { createReadStream, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exitWithParent, reportFailure, reportReady } from './child.js'
import { fixtures, SERVICES, type ServiceName } from './fixtures.js'

// Extra files (BENCH_FILES: { urlPath: file }), streamed from disk on the first service's port.
const files = new Map(Object.entries(JSON.parse(process.env.BENCH_FILES || '{}') as Record<string, string>))

function serve(body: Buffer, withFiles: boolean): Promise<Server> {
  const headers = { 'Content-Type': 'application/json', 'Content-Length': String(body.length) }
  const server = createServer((req, res) => {
    const file = withFiles ? files.get(req.url ?? '') : undefined
    if (file === undefined) {
      res.writeHead(200, headers).end(body)
      return
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(statSync(file).size) })
    createReadStream(file).pipe(res)
  })
  // The contenders' keep-alive pools must not lose connections to the server's idle timeout mid-run.
  server.keepAliveTimeout = 60_000
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve(server))
  })
}

try {
  const servers = await Promise.all(SERVICES.map((name, i) => serve(Buffer.from(fixtures[name].body), i === 0)))
  const ports = Object.fromEntries(SERVICES.map((name, i) => [name, (servers[i]?.address() as AddressInfo).port])) as Record<ServiceName, number>
  exitWithParent(async () => {
    for (const server of servers) server.closeAllConnections()
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
  })
  reportReady(ports)
} catch (error) {
  reportFailure(error)
}
