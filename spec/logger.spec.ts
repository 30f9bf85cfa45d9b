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
