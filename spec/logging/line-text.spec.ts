import t from 'tap'
import { lineText } from '../../lib/logging/line-text.js'

t.test('a line as text: the message, then each field as key=value', async (t) => {
  const text = lineText({ level: 40, time: 1, pid: 3, hostname: 'h', name: 'rxgate', msg: 'partial answer', endpoint: '/front/{id}', delivered: 1, failures: [{ backend: '/users/{id}', code: 'RXGATE_ERR_TIMEOUT' }] })
  t.equal(text, 'partial answer endpoint=/front/{id} delivered=1 failures=[{"backend":"/users/{id}","code":"RXGATE_ERR_TIMEOUT"}]')
  t.equal(lineText({ msg: 'x', reason: 'a b', empty: '', flag: true, none: null }), 'x reason="a b" empty="" flag=true none=null', 'text with spaces is quoted')
})

t.test("an access line starts with what a person looks for", async (t) => {
  t.equal(lineText({ msg: 'request', method: 'GET', path: '/users/1', ip: '::1', status: 200, completed: true, aborted: false, ms: 3.2 }), 'GET /users/1 200 3.2ms ip=::1 completed=true aborted=false')
})

t.test("an error: its message in the line, its stack on the lines after", async (t) => {
  const error = new Error('boom')
  const text = lineText({ msg: 'endpoint failed', err: { type: 'Error', message: 'boom', stack: error.stack } })
  t.equal(text.split('\n')[0], 'endpoint failed err=boom')
  t.match(text, /\nError: boom\n\s+at /)
})
