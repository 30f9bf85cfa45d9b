/**
 * Contender: the minimal proxy a developer writes by hand, the floor of `no-op` endpoints.
 * node:http, one keep-alive undici Pool, the backend's body piped to the client untouched, its
 * end-to-end headers passed on as a `no-op` endpoint passes them, and the client named to the
 * backend as rxgate names it (perf/forwarded.ts). Started with BENCH_URLS; proxies any GET to the
 * `users` service.
 */
import { createServer } from 'node:http'
import { Pool } from 'undici'
import { reportFailure, serveContender } from '../child.js'
import type { ServiceName } from '../fixtures.js'
import { endToEnd, forwardedHeaders } from '../forwarded.js'

try {
  const urls = JSON.parse(process.env.BENCH_URLS ?? '') as Record<ServiceName, string>
  const pool = new Pool(urls.users, { headersTimeout: 800, bodyTimeout: 800, keepAliveTimeout: 60_000 })
  const server = createServer((req, res) => {
    pool.request({ method: 'GET', path: req.url ?? '/', headers: forwardedHeaders(req) }).then(
      ({ statusCode, headers, body }) => {
        res.writeHead(statusCode, endToEnd(headers))
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
