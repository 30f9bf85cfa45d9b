/**
 * Contender: the careful hand-written proxy of a JSON backend, the floor of rxgate's `json`
 * endpoints. node:http, one keep-alive undici Pool, the backend's body collected and checked with
 * `JSON.parse` (a proxy that refuses invalid JSON must read it whole), then its bytes sent with
 * Content-Type and Content-Length; a body that is not JSON is a 502. The backend is told of the
 * client as rxgate tells it (perf/forwarded.ts). Started with BENCH_URLS;
 * proxies any GET to the `users` service.
 */
import { createServer } from 'node:http'
import { Pool } from 'undici'
import { reportFailure, serveContender } from '../child.js'
import type { ServiceName } from '../fixtures.js'
import { forwardedHeaders } from '../forwarded.js'

try {
  const urls = JSON.parse(process.env.BENCH_URLS ?? '') as Record<ServiceName, string>
  const pool = new Pool(urls.users, { headersTimeout: 800, bodyTimeout: 800, keepAliveTimeout: 60_000 })
  const server = createServer((req, res) => {
    pool
      .request({ method: 'GET', path: req.url ?? '/', headers: forwardedHeaders(req) })
      .then(async ({ statusCode, headers, body }) => {
        const chunks: Buffer[] = []
        for await (const chunk of body) chunks.push(chunk as Buffer)
        const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
        JSON.parse(bytes.toString('utf8'))
        const type = headers['content-type']
        res.writeHead(statusCode, { 'content-type': typeof type === 'string' ? type : 'application/json', 'content-length': bytes.length })
        res.end(bytes)
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(502).end()
      })
  })
  await serveContender(server, () => pool.close())
} catch (error) {
  reportFailure(error)
}
