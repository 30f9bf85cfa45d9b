/**
 * An HTTP server plugin (`plugin/http-server`): every request gets an id, in a header the
 * backends receive (list it in the endpoint's `input_headers`) and the client gets back, so one
 * request can be followed through every service's logs. An id the client sent is kept when it
 * looks like one (letters, digits, `-`, `_`, `.`, `:`, up to 128), as behind another proxy.
 *
 *   "extra_config": {
 *     "plugin/http-server": { "name": ["request-id"], "request-id": { "header": "X-Request-Id" } }
 *   }
 */
import { randomUUID } from 'node:crypto'
import { definePlugin } from '../../lib/index.js'

interface RequestIdConfig {
  /** The header carrying the id. Default `X-Request-Id`. */
  readonly header?: string
  /** Keep an id the client sent. Default true; false makes a new one for every request. */
  readonly keep_client_id?: boolean
}

const PLAUSIBLE_ID = /^[\w.:-]{1,128}$/

export default definePlugin<RequestIdConfig>({
  name: 'request-id',
  server: (config = {}, { logger }) => {
    const header = config.header ?? 'X-Request-Id'
    if (typeof header !== 'string' || !/^[\w-]+$/.test(header)) throw new Error(`"header" must be a header name (got ${JSON.stringify(header)})`)
    const name = header.toLowerCase()
    const keep = config.keep_client_id ?? true
    logger.debug({ header }, 'request ids on every request')
    return (next) => (req, res) => {
      const sent = req.headers[name]
      const id = keep && typeof sent === 'string' && PLAUSIBLE_ID.test(sent) ? sent : randomUUID()
      // The request is node's own, before routing: setting its header is how the router and the backends see it.
      req.headers[name] = id
      res.setHeader(header, id)
      next(req, res)
    }
  },
})
