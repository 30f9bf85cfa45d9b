/**
 * Contender: the minimal proxy a developer writes by hand, the floor to beat. node:http, one
 * keep-alive undici Pool, the backend's body piped to the client untouched, Content-Type and
 * Content-Length passed on. Started with BENCH_URLS; proxies any GET to the `users` service.
 */
import { createServer } from 'node:http'
import { Pool } from 'undici'
import { reportFailure, serveContender } from '../child.js'
import type { ServiceName } from '../fixtures.js'

try {
  const urls = JSON.parse(process.env.BENCH_URLS ?? '') as Record<ServiceName, string>
  const pool = new Pool(urls.users, { headersTimeout: 800, bodyTimeout: 800, keepAliveTimeout: 60_000 })
  const server = createServer((req, res) => {
    pool.request({ method: 'GET', path: req.url ?? '/' }).then(
      ({ statusCode, headers, body }) => {
        const out: Record<string, string> = {}
        const type = headers['content-type']
        const length = headers['content-length']
        if (typeof type === 'string') out['content-type'] = type
        if (typeof length === 'string') out['content-length'] = length
        res.writeHead(statusCode, out)
        body.pipe(res)
      },
      () => {
        if (!res.headersSent) res.writeHead(502).end()
      },
    )
  })
  await serveContender(server, () => pool.close())
} catch (error) {
  reportFailure(error)
}
