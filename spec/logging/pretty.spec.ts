import t from 'tap'
import { pino } from 'pino'
import { prettyDestination } from '../../lib/logging/pretty.js'

function pretty() {
  const lines: string[] = []
  const logger = pino({ name: 'rxgate' }, prettyDestination({ write: (text: string) => lines.push(text) }, false))
  return { logger, lines }
}

t.test('an access line reads GET /users/1 200 3.2ms, the rest of it after, on one line', async (t) => {
  const { logger, lines } = pretty()
  logger.info({ method: 'GET', path: '/users/1', ip: '::1', status: 200, completed: true, aborted: false, ms: 3.2 }, 'request')
  t.equal(lines.length, 1)
  t.match(lines[0], /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: GET \/users\/1 200 3\.2ms \{"ip":"::1","completed":true,"aborted":false\}\n$/)
  t.notMatch(lines[0], /"method"|"status"|"pid"|"hostname"/, 'nothing said twice, nothing a terminal reader needs')
})

t.test('other lines: their message and fields on one line; an error its stack after', async (t) => {
  const { logger, lines } = pretty()
  logger.warn({ endpoint: '/front', failures: [{ backend: '/users/{id}', code: 'RXGATE_ERR_TIMEOUT' }] }, 'partial answer')
  t.match(lines[0], /^\[[\d:.]+\] WARN: partial answer \{"endpoint":"\/front","failures":\[\{"backend":"\/users\/\{id\}","code":"RXGATE_ERR_TIMEOUT"\}\]\}\n$/)
  logger.error({ err: new Error('boom') }, 'endpoint failed')
  t.match(lines[1], /^\[[\d:.]+\] ERROR: endpoint failed \n\s+err: \{[\s\S]*Error: boom\n\s+at /)
})
