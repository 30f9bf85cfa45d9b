import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify'
import type { Gateway } from '../gateway.js'

/** Options of {@link fastifyRxgate}, besides fastify's own `prefix`. */
export interface FastifyRxgateOptions {
  /** The gateway whose routes the plugin serves: written in code, or compiled from a file. */
  readonly gateway: Gateway
}

/**
 * A fastify plugin that serves a gateway's routes from a fastify app (`rxgate/fastify`), under
 * the `prefix` it is registered with. The app's own routes keep theirs: fastify's router prefers
 * them, and a request no route of the gateway matches goes to the app's not-found handler.
 * rxgate reads the bodies of its routes itself (the app's body parsers are left to its own
 * routes), writes their answers itself (fastify's reply hooks and serializers do not see them),
 * and logs them in its own access log. Closing the app closes the gateway, draining its requests.
 *
 * @example
 * import Fastify from 'fastify'
 * import { fastifyRxgate } from 'rxgate/fastify'
 *
 * const app = Fastify()
 * app.get('/status', async () => ({ ok: true }))
 * await app.register(fastifyRxgate, { gateway: gw, prefix: '/api' })   // GET /api/users/7: rxgate
 * await app.listen({ port: 3000 })
 */
export const fastifyRxgate: FastifyPluginCallback<FastifyRxgateOptions> = (fastify, options, done) => {
  const handler = options.gateway.handler()
  const prefix = fastify.prefix
  // Inside this plugin only (fastify encapsulates parsers): bodies are left unread for rxgate.
  fastify.removeAllContentTypeParsers()
  fastify.addContentTypeParser('*', (_request, _payload, parsed) => parsed(null))
  const serve = (request: FastifyRequest, reply: FastifyReply) =>
    new Promise<unknown>((resolve) => {
      const raw = request.raw
      const url = raw.url ?? '/'
      // The gateway's routes are written without the prefix, as an express mount path strips it.
      raw.url = url.slice(prefix.length) || '/'
      if (raw.url[0] !== '/') raw.url = `/${raw.url}`
      let passed = false
      reply.raw.once('close', () => {
        if (passed) return
        raw.url = url
        // rxgate wrote the answer: fastify must not write one.
        reply.hijack()
        resolve(undefined)
      })
      handler(raw, reply.raw, () => {
        passed = true
        raw.url = url
        resolve(reply.callNotFound())
      })
    })
  fastify.all('/', serve)
  fastify.all('/*', serve)
  fastify.addHook('onClose', () => options.gateway.close())
  done()
}

export default fastifyRxgate
