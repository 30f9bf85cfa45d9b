import { map } from 'rxjs'
import t from 'tap'
import { checkConfig, compileGateway, createLogger } from '../../lib/index.js'
import { json, startBackends } from '../helpers/http-backend.js'
import { recordingLogger, serveGateway } from '../helpers/serve-gateway.js'

t.test('a KrakenD configuration compiled in code, mixed with a hand-written endpoint', async (t) => {
  const [users] = await startBackends(t, json({ name: 'Ada', password: 'x' }))
  const { config } = checkConfig({
    version: 3,
    endpoints: [{ endpoint: '/users/{id}', backend: [{ host: [users!.url], url_pattern: '/users/{id}', deny: ['password'] }] }],
  })
  const gw = compileGateway(config, { logger: createLogger({ level: 'silent' }) }).get(
    '/hello',
    map(() => ({ hello: 'world' })),
  )
  const base = await serveGateway(t, gw)
  t.same(await (await fetch(`${base}/users/1`)).json(), { name: 'Ada' })
  t.same(await (await fetch(`${base}/hello`)).json(), { hello: 'world' })
  t.equal(users!.seen[0]?.url, '/users/1')
})

t.test('a configuration error names its path', async (t) => {
  t.throws(() => checkConfig({ version: 3, endpoints: [{ endpoint: 'no-slash', backend: [] }] }), {
    code: 'RXGATE_ERR_CONFIG_INVALID',
    message: /\/endpoints\/0\/endpoint/,
  })
})

t.test('the warnings loading found are logged once, when the gateway is compiled', async (t) => {
  const { config, warnings } = checkConfig(
    {
      version: 3,
      host: ['http://127.0.0.1:1'],
      extra_config: { 'telemetry/gelf': {} },
      endpoints: [{ endpoint: '/a', extra_config: { 'auth/api-keys': {} }, backend: [{ url_pattern: '/a', alow: ['x'] }] }],
    },
    { allowUnenforced: true },
  )
  t.equal(warnings.length, 3)
  const { logger, lines } = recordingLogger()
  compileGateway(config, { logger, warnings })
  t.same(
    lines.filter((line) => line.level === 40).map((line) => line.msg),
    warnings,
  )
  t.match(lines.map((line) => line.msg).join('\n'), /auth\/api-keys is not enforced by rxgate/)

  const quiet = recordingLogger()
  compileGateway(config, { logger: quiet.logger })
  t.same(quiet.lines.filter((line) => line.level === 40), [], 'no warnings given, none logged')
})
