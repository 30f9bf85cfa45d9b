import { pino } from 'pino'
import t from 'tap'
import { ErrorCodes, RxgateError } from '../../lib/errors.js'
import { definePlugin, notAPlugin, type Plugin } from '../../lib/plugins/contract.js'
import { Plugins } from '../../lib/plugins/plugins.js'
import type { ServerMiddleware } from '../../lib/middleware/types.js'
import { recordingLogger } from '../helpers/serve-gateway.js'

const silent = pino({ level: 'silent' })
const use = { logger: silent, at: 'service' }
const passThrough = definePlugin({ name: 'pass', server: () => (next) => next })

t.test('notAPlugin says what is wrong with a value, in words that name it', async (t) => {
  t.equal(notAPlugin(passThrough), undefined)
  t.equal(notAPlugin(undefined), 'undefined, not a plugin object')
  t.equal(notAPlugin([passThrough]), 'an array, not a plugin object')
  t.equal(notAPlugin(() => undefined), 'a function, not a plugin object')
  t.equal(notAPlugin({ server: () => undefined }), 'a value whose "name" is undefined, not a non-empty string')
  t.equal(notAPlugin({ name: 'x' }), 'plugin "x" with no factory: it needs one of server, endpoint, backend, client')
  t.equal(notAPlugin({ name: 'x', endpoint: 'pipeline' }), 'plugin "x" whose "endpoint" is a string, not a function')
  t.equal(
    notAPlugin({ name: 'x', clinet: () => undefined }),
    'plugin "x" with the key "clinet", which is not one of name, server, endpoint, backend, client (did you mean "client"?)',
  )
})

t.test('Plugins.of: plugins in code, each checked, one per name', async (t) => {
  const plugins = Plugins.of([passThrough, { name: 'other', endpoint: () => (pipeline) => pipeline }])
  t.same(plugins.names, ['pass', 'other'])
  t.equal(plugins.get('pass')?.source, 'code')
  t.throws(() => Plugins.of([passThrough, passThrough]), { code: ErrorCodes.BAD_PLUGIN, message: /plugin "pass" is registered twice: by code and by code/ })
  t.throws(() => Plugins.of([{ name: '' } as unknown as Plugin<never>]), { code: ErrorCodes.BAD_PLUGIN, message: /plugins\[0\] is a value whose "name" is empty, not a non-empty string/ })
})

t.test('unusable: a name not registered (with the names that are, and the closest), or without the factory needed', async (t) => {
  const plugins = Plugins.of([passThrough, { name: 'request-id', server: () => (next) => next }])
  t.equal(plugins.unusable('pass', 'server'), undefined)
  t.equal(plugins.unusable('request-ids', 'server'), '"request-ids" is not a registered plugin (registered: pass, request-id); did you mean "request-id"?')
  t.equal(plugins.unusable('zzz', 'server'), '"zzz" is not a registered plugin (registered: pass, request-id)')
  t.equal(plugins.unusable('pass', 'client'), 'plugin "pass" (code) has no "client" factory, which plugin/http-client needs; it has "server"')
  t.equal(plugins.unusable('pass', 'backend'), 'plugin "pass" (code) has no "backend" factory, which plugin/req-resp-modifier on a backend needs; it has "server"')
  t.match(Plugins.NONE.unusable('pass', 'server'), /^"pass" is not a registered plugin: no plugins are loaded/)
})

t.test('make: the factory called once with its own block and a logger marked with its name', async (t) => {
  const calls: unknown[] = []
  const { logger, lines } = recordingLogger()
  const plugins = Plugins.of([
    definePlugin<{ greeting: string }>({
      name: 'hello',
      server: (config, context) => {
        calls.push(config)
        context.logger.info(`set up at ${context.at}`)
        return (next) => next
      },
    }),
  ])
  const middleware = plugins.make<ServerMiddleware>('hello', 'server', { greeting: 'hi' }, { logger, at: 'service' })
  t.same(calls, [{ greeting: 'hi' }])
  t.match(lines, [{ plugin: 'hello', msg: 'set up at service' }])
  const next = () => undefined
  t.equal(middleware(next), next, 'the middleware is the plugin\'s own')
  t.same(calls.length, 1, 'made once, not per use')
})

t.test('make: a name that cannot serve is a configuration error; a factory that fails is the plugin\'s', async (t) => {
  const plugins = Plugins.of([
    { name: 'throws', server: () => { throw new Error('"key" is required') } },
    { name: 'returns-nothing', server: () => undefined as never },
    { name: 'wraps-into-nothing', server: () => () => 42 as never },
  ])
  t.throws(() => plugins.make('missing', 'server', undefined, use), { code: ErrorCodes.CONFIG_INVALID, message: /^plugin\/http-server at service: "missing" is not a registered plugin/ })
  const threw = (() => {
    try {
      plugins.make('throws', 'server', undefined, use)
    } catch (error) {
      return error as RxgateError
    }
  })()
  t.equal(threw?.code, ErrorCodes.BAD_PLUGIN)
  t.equal(threw?.message, 'plugin "throws" (code), used by plugin/http-server at service: its "server" factory threw: "key" is required')
  t.match((threw?.cause as Error).message, '"key" is required', 'the cause is kept for the log')
  t.throws(() => plugins.make('returns-nothing', 'server', undefined, use), { code: ErrorCodes.BAD_PLUGIN, message: /factory returned undefined, not a middleware function/ })
  const wraps = plugins.make<ServerMiddleware>('wraps-into-nothing', 'server', undefined, use)
  t.throws(() => wraps(() => undefined), { code: ErrorCodes.BAD_PLUGIN, message: /its server middleware returned a number, not a function/ }, 'found when it wraps, at start-up')
})
