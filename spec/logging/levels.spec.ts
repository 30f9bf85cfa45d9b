import t from 'tap'
import { krakendLevel, logLevel } from '../../lib/logging/levels.js'

t.test("KrakenD's level names and pino's, in any case", async (t) => {
  t.same(['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'].map(logLevel), ['debug', 'info', 'warn', 'error', 'fatal'])
  t.same(['trace', 'Debug', 'WARN', 'silent', 'fatal'].map(logLevel), ['trace', 'debug', 'warn', 'silent', 'fatal'])
  t.equal(logLevel('verbose'), undefined)
  t.equal(logLevel('toString'), undefined, 'no name of an object prototype')
})

t.test("pino's level numbers as KrakenD names them", async (t) => {
  t.same([10, 20, 30, 40, 50, 60].map(krakendLevel), ['DEBUG', 'DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'])
})
