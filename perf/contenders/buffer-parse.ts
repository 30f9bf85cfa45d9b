/**
 * Contender for the big body: what most hand-written code does with a large JSON answer. node:http,
 * one undici Pool to the `users` origin, the whole body buffered, JSON.parse, the one key kept,
 * JSON.stringify. With BENCH_WHOLE=1, the document passed whole instead: buffered, checked by
 * JSON.parse, and its bytes sent as they came. Started with BENCH_URLS; any GET path is asked of
 * the backend as is.
 */
import { createServer } from 'node:http'
import { Pool } from 'undici'
import { reportFailure, serveContender } from '../child.js'
import type { ServiceName } from '../fixtures.js'

const KEPT = process.env.BENCH_KEPT ?? 'total'
const WHOLE = process.env.BENCH_WHOLE === '1'

try {
  const urls = JSON.parse(process.env.BENCH_URLS ?? '') as Record<ServiceName, string>
  // A 100 MB body takes seconds, not the aggregation's 800 ms.
  const pool = new Pool(urls.users, { headersTimeout: 60_000, bodyTimeout: 60_000, keepAliveTimeout: 60_000 })
  const server = createServer((req, res) => {
    pool
      .request({ method: 'GET', path: req.url ?? '/' })
      .then(async ({ statusCode, body }) => {
        if (WHOLE) {
          const bytes = Buffer.from(await body.arrayBuffer())
          JSON.parse(bytes.toString('utf8'))
          if (statusCode !== 200) throw new Error(`backend answered ${statusCode}`)
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes.length }).end(bytes)
          return
        }
        const doc = JSON.parse(await body.text()) as Record<string, unknown>
        if (statusCode !== 200) throw new Error(`backend answered ${statusCode}`)
        const out = JSON.stringify({ [KEPT]: doc[KEPT] })
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) }).end(out)
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(502).end()
      })
  })
  await serveContender(server, () => pool.close())
} catch (error) {
  reportFailure(error)
}
