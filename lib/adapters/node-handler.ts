import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * A gateway as a node request handler (`gateway.handler()`): for `http.createServer`, and as a
 * connect or express middleware, where `next` takes the requests no route of the gateway matches,
 * so that the app's own routes keep working. Without `next`, rxgate answers them itself (404,
 * 405, a trailing-slash redirect), as its own server does.
 *
 * @example
 * const app = express()
 * app.get('/status', (req, res) => res.json({ ok: true }))   // the app's own routes
 * app.use('/api', gw.handler())                                 // rxgate's, under /api
 * app.listen(3000)
 */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void
