import t from 'tap'
import { compilePattern, DEFAULT_PATTERN } from '../../lib/logging/go-pattern.js'

const line = { time: new Date(2024, 0, 2, 15, 4, 5, 60), level: 40, id: 7, message: 'a backend is slow' }

t.test("KrakenD's default format, without colours off a terminal", async (t) => {
  t.equal(compilePattern(DEFAULT_PATTERN, { colors: false })(line), ' 2024/01/02 - 15:04:05.060 ▶ WARNING a backend is slow')
})

t.test("KrakenD's documented custom format, with colours on a terminal", async (t) => {
  const pattern = compilePattern('[MY APP LOG] %{time:2006/01/02 - 15:04:05.000} %{color}▶ %{level:.6s}%{color:reset} %{message}', { colors: true })
  t.equal(pattern(line), '[MY APP LOG] 2024/01/02 - 15:04:05.060 \x1b[33m▶ WARNIN\x1b[0m a backend is slow')
  t.equal(pattern({ ...line, level: 30 }), '[MY APP LOG] 2024/01/02 - 15:04:05.060 ▶ INFO\x1b[0m a backend is slow', 'INFO has no colour, as in go-logging')
  t.equal(compilePattern('%{color:bold}%{level}', { colors: true })({ ...line, level: 50 }), '\x1b[31;1mERROR')
})

t.test('every variable KrakenD documents', async (t) => {
  const pattern = compilePattern('%{id:05d} %{pid} %{program} %{module} %{level:-9s}| %{level:d} %{message:q}', { colors: false })
  t.equal(pattern(line), `00007 ${process.pid} ${process.argv[1]!.split('/').at(-1)} RXGATE WARNING  | 2 "a backend is slow"`)
  t.equal(compilePattern('%{shortfile} %{message}', { colors: false })(line), '??? a backend is slow', "Go's call-site verbs print go-logging's ???")
  t.match(compilePattern('%{time}', { colors: false })(line), /^2024-01-02T15:04:05\.06(Z|[+-]\d\d:\d\d)$/, "%{time} alone is go-logging's RFC 3339 with milliseconds")
  t.equal(compilePattern('%{level}', { colors: false })({ ...line, level: 60 }), 'CRITICAL', "pino's fatal is KrakenD's CRITICAL")
  t.equal(compilePattern('%{level}', { colors: false })({ ...line, level: 10 }), 'DEBUG', 'trace is DEBUG')
})

t.test('a pattern go-logging refuses is refused, saying why', async (t) => {
  t.throws(() => compilePattern('%{mesage}', { colors: false }), { name: 'PatternError' })
  t.throws(() => compilePattern('%{mesage}', { colors: false }), /unknown variable %\{mesage\}/)
  t.throws(() => compilePattern('just text', { colors: false }), /has no %\{verb\}/)
  t.throws(() => compilePattern('%{level:.6z}', { colors: false }), /Go's fmt would not print/)
})
