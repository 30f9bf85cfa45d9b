import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Test } from 'tap'
import type { AddressInfo } from 'node:net'

export interface Seen {
  readonly url: string
  readonly headers: IncomingHttpHeaders
  /** Resolves true when the client closed the connection before the answer was finished. */
  readonly aborted: Promise<boolean>
}

export interface TestBackend {
  readonly url: string
  /** Every request this backend received, in order. */
  readonly seen: Seen[]
  close(): Promise<void>
}

/** A real HTTP server on loopback for tests; the handler answers each request. */
export async function startBackend(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestBackend> {
  const seen: Seen[] = []
  const server = createServer((req, res) => {
    const aborted = new Promise<boolean>((resolve) => res.once('close', () => resolve(!res.writableFinished)))
    seen.push({ url: req.url ?? '', headers: req.headers, aborted })
    handler(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Answers JSON after `delay` ms (never, when the client leaves first). */
export function json(body: unknown, delay = 0, status = 200) {
  const text = JSON.stringify(body)
  return (_req: IncomingMessage, res: ServerResponse) => {
    const timer = setTimeout(() => {
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text)
    }, delay)
    res.once('close', () => clearTimeout(timer))
  }
}

/** Starts one backend per handler, all closed when the test ends. */
export async function startBackends(t: Test, ...handlers: ((req: IncomingMessage, res: ServerResponse) => void)[]): Promise<TestBackend[]> {
  const started = await Promise.all(handlers.map((handler) => startBackend(handler)))
  t.teardown(() => Promise.all(started.map((backend) => backend.close())))
  return started
}
