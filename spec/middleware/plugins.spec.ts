import { map, pipe } from 'rxjs'
import t from 'tap'
import { backend } from '../../lib/backend/index.js'
import { checkConfig } from '../../lib/config/index.js'
import { ErrorCodes, RxgateError } from '../../lib/errors.js'
import { gateway } from '../../lib/gateway.js'
import { httpClientPlugin } from '../../lib/middleware/plugin-http-client.js'
import { httpServerPlugins } from '../../lib/middleware/plugin-http-server.js'
import { backendModifierPlugins, endpointModifierPlugins } from '../../lib/middleware/plugin-modifiers.js'
import { compileGateway } from '../../lib/pipeline/compile.js'
import { definePlugin } from '../../lib/plugins/contract.js'
import { Plugins } from '../../lib/plugins/plugins.js'
import type { GatewayRequest } from '../../lib/request.js'
import { fanOut, merge, timeoutEach } from '../../operators/index.js'
import { httpBackend, sendJson } from '../fixtures/backends.js'
import { quiet, recordingLogger, serveGateway } from '../helpers/serve-gateway.js'

// The plugin/* namespaces as code: the same factories a file's blocks reach, given the plugins.

const tagged = (request: GatewayRequest, tag: string): GatewayRequest => ({ ...request, headers: { ...request.headers, 'x-tag': tag } })

const tagger = definePlugin<{ tag: string }>({
  name: 'tagger',
  server: (config) => (next) => (req, res) => {
    res.setHeader('x-server-tag', config?.tag ?? 'none')
    next(req, res)
  },
  endpoint: (config) => (pipeline) => (request$) => pipeline(request$.pipe(map((request) => tagged(request, config!.tag)))),
  backend: (config) => (source) => (request$) => source(request$.pipe(map((request) => tagged(request, `${request.headers['x-tag']}+${config!.tag}`)))),
  client: (config) => (source) => (request$) => source(request$).pipe(map((data) => ({ ...(data as object), via: config!.tag }))),
})
const plugins = Plugins.of([tagger])

t.test('in code: each middleware made from its block, with the plugins given', async (t) => {
  const users = await httpBackend((req, res) => sendJson(res, { tag: req.headers['x-tag'] ?? null }))
  t.teardown(users.close)
  const { logger } = recordingLogger()
  const context = (at: string) => ({ logger, at, plugins })
  const user = httpClientPlugin({ name: 'tagger', tagger: { tag: 'client' } }, context('backend /me'))(
    backendModifierPlugins({ name: ['tagger'], tagger: { tag: 'backend' } }, context('backend /me'))(backend(`${users.origin}/me`, { headers: ['x-tag'] })),
  )
  const endpoint = endpointModifierPlugins({ name: ['tagger'], tagger: { tag: 'endpoint' } }, context('endpoint /me'))
  const gw = gateway(quiet)
    .use(httpServerPlugins({ name: 'tagger', tagger: { tag: 'server' } }, context('service')))
    .get('/me', endpoint(pipe(fanOut({ user }), timeoutEach('1s'), merge())))
  const base = await serveGateway(t, gw)
  const res = await fetch(`${base}/me`)
  t.equal(res.headers.get('x-server-tag'), 'server')
  t.same(await res.json(), { tag: 'endpoint+backend', via: 'client' })
})

t.test('compileGateway finds a file\'s plugins in the ones it is given, and says how to give them when it has none', async (t) => {
  const users = await httpBackend((req, res) => sendJson(res, { tag: req.headers['x-tag'] ?? null }))
  t.teardown(users.close)
  const { config } = checkConfig({
    version: 3,
    endpoints: [
      {
        endpoint: '/me',
        input_headers: ['X-Tag'],
        extra_config: { 'plugin/req-resp-modifier': { name: ['tagger'], tagger: { tag: 'from-file' } } },
        backend: [{ host: [users.origin], url_pattern: '/me' }],
      },
    ],
  })
  const { logger } = recordingLogger()
  const base = await serveGateway(t, compileGateway(config, { logger, plugins }))
  t.same(await (await fetch(`${base}/me`)).json(), { tag: 'from-file' })
  t.throws(() => compileGateway(config, { logger }), {
    code: ErrorCodes.CONFIG_INVALID,
    message: /^plugin\/req-resp-modifier at endpoint \/me: "tagger" is not a registered plugin: no plugins are loaded .*give compileGateway the plugins of loadPlugins/,
  })
})

t.test('an endpoint plugin\'s rejection is an RxgateError with its status; a plain error a 500', async (t) => {
  const guards = Plugins.of([
    {
      name: 'members-only',
      endpoint: () => (pipeline) => (request$) =>
        pipeline(
          request$.pipe(
            map((request) => {
              if (request.headers['x-member'] !== 'yes') throw new RxgateError(ErrorCodes.FORBIDDEN, 'members only')
              return request
            }),
          ),
        ),
    },
    {
      name: 'buggy',
      endpoint: () => (pipeline) => (request$) =>
        pipeline(
          request$.pipe(
            map((request) => {
              if (request.headers['x-member'] === 'yes') throw new TypeError('cannot read the member card')
              return request
            }),
          ),
        ),
    },
  ])
  const context = { logger: recordingLogger().logger, at: 'endpoint /club', plugins: guards }
  const members = endpointModifierPlugins({ name: ['members-only'] }, context)
  const buggy = endpointModifierPlugins({ name: ['buggy'] }, context)
  const base = await serveGateway(t, gateway(quiet).get('/club', members(map(() => ({ welcome: true })))).get('/bug', buggy(map(() => ({ welcome: true })))))
  const refused = await fetch(`${base}/club`)
  t.equal(refused.status, 403)
  t.same(await refused.json(), { error: { code: 'RXGATE_ERR_FORBIDDEN', message: 'members only' } })
  t.same(await (await fetch(`${base}/club`, { headers: { 'x-member': 'yes' } })).json(), { welcome: true })
  const bug = await fetch(`${base}/bug`, { headers: { 'x-member': 'yes' } })
  t.equal(bug.status, 500)
  t.same(await bug.json(), { error: { code: 'RXGATE_ERR_PIPELINE', message: "the endpoint's pipeline failed" } }, 'the plugin\'s own message stays in the log')
})
