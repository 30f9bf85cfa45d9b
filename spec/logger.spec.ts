import t from 'tap'
import { accessLogOf, createLogger } from '../lib/logger.js'
import { loggingSettings } from '../lib/logging/settings.js'

t.test("a level by pino's name or KrakenD's, in any case; an unknown one says which it takes", async (t) => {
  t.equal(createLogger({ level: 'WARNING', pretty: false }).level, 'warn')
  t.equal(createLogger({ level: 'critical', pretty: false }).level, 'fatal')
  t.equal(createLogger({ level: 'Debug', pretty: false }).level, 'debug')
  t.throws(() => createLogger({ level: 'verbose' }), { code: 'RXGATE_ERR_BAD_ARGUMENT', message: /unknown log level "verbose": use DEBUG, INFO, WARNING, ERROR, CRITICAL/ })
})

t.test("the level: the one asked, else RXGATE_LOG_LEVEL, else the file's, else info", async (t) => {
  const logging = loggingSettings({ level: 'ERROR', stdout: true })
  t.equal(createLogger({ logging, pretty: false }).level, 'error')
  t.equal(createLogger({ logging, level: 'debug', pretty: false }).level, 'debug')
  t.equal(createLogger({ pretty: false }).level, process.env.RXGATE_LOG_LEVEL ?? 'info')
})

t.test('the access log has a logger of its own only with telemetry/logging (stdout only, never syslog)', async (t) => {
  const plain = createLogger({ pretty: false })
  t.equal(accessLogOf(plain), plain)
  const logging = createLogger({ logging: loggingSettings({ level: 'WARNING' }), pretty: false })
  t.not(accessLogOf(logging), logging)
  t.equal(accessLogOf(logging).level, 'warn', 'at the same level')
})

t.test('what is logged before a fatal error or process.exit() is written, every line', async (t) => {
  const { spawnSync } = await import('node:child_process')
  const { ROOT } = await import('./helpers/spawn-node.js')
  for (const [how, end] of [
    ['an uncaught error', "setImmediate(() => { throw new Error('fatal') })"],
    ['process.exit()', 'process.exit(3)'],
  ] as const) {
    const script = `const { createLogger } = await import('./dist/lib/logger.js')
const logger = createLogger({ pretty: false })
for (let i = 0; i < 2000; i++) logger.info({ i }, 'a line')
${end}`
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' })
    const lines = run.stdout.trim().split('\n')
    t.equal(lines.length, 2000, how)
    t.match(lines.at(-1), /"i":1999/)
  }
})
