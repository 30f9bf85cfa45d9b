import { Writable } from 'node:stream'
import { pino, type Logger } from 'pino'
import type { Test } from 'tap'
import type { Gateway } from '../../lib/gateway.js'

/** Gateway options for tests that do not read the logs. */
export const quiet = { logger: { level: 'silent' } }

/** Starts a programmatic gateway on a free loopback port, closed when the test ends; its base URL. */
export async function serveGateway(t: Test, gw: Gateway): Promise<string> {
  const { port } = await gw.listen(0, '127.0.0.1')
  t.teardown(() => gw.close())
  return `http://127.0.0.1:${port}`
}

/** A pino logger that keeps its lines, parsed, for a test to read. */
export function recordingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>)
      done()
    },
  })
  return { logger: pino(sink), lines }
}
