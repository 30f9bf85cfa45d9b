import { config } from 'rxjs'
import t from 'tap'
import { escapedErrors, guardProcess } from '../../lib/router/guard-process.js'
import { recordingLogger } from '../helpers/serve-gateway.js'

t.test('installs its handlers once, while any gateway holds a claim, and removes them after the last', async (t) => {
  const before = process.listenerCount('uncaughtException')
  const first = guardProcess(recordingLogger().logger)
  const second = guardProcess(recordingLogger().logger)
  t.equal(process.listenerCount('uncaughtException'), before + 1, 'one handler, however many gateways')
  t.equal(process.listenerCount('unhandledRejection') > 0, true)
  t.type(config.onUnhandledError, 'function', "RxJS's errors with nowhere to go come here")
  first()
  t.equal(process.listenerCount('uncaughtException'), before + 1, 'still claimed')
  second()
  t.equal(process.listenerCount('uncaughtException'), before, 'released')
  t.equal(config.onUnhandledError, null)
})

t.test('an error outside any request is logged with its stack and counted', async (t) => {
  const { logger, lines } = recordingLogger()
  const release = guardProcess(logger)
  t.teardown(release)
  const counted = escapedErrors()
  config.onUnhandledError!(new Error('nowhere to go'))
  t.equal(escapedErrors(), counted + 1)
  t.match(lines.at(-1), { level: 50, code: 'RXGATE_ERR_INTERNAL', err: { message: 'nowhere to go', stack: /Error: nowhere to go/ } })
})
