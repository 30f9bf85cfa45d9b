import { execFile } from 'node:child_process'
import { connect, type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders, type SecureClientSessionOptions } from 'node:http2'
import type { Test } from 'tap'

export interface H2Answer {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

/** An HTTP/2 connection (TLS with `options`, or h2c for an `http:` origin), closed when the test ends. */
export async function h2Session(t: Test, origin: string, options: SecureClientSessionOptions = {}): Promise<ClientHttp2Session> {
  const session = connect(origin, options)
  t.teardown(() => void session.destroy())
  await new Promise<void>((resolve, reject) => {
    session.once('connect', () => resolve())
    session.once('error', reject)
  })
  session.on('error', () => {})
  return session
}

/** One request on an HTTP/2 connection, and its whole answer. */
export function h2Request(session: ClientHttp2Session, path: string, headers: OutgoingHttpHeaders = {}, body?: string): Promise<H2Answer> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':path': path, ...headers }, { endStream: body === undefined })
    let answer: IncomingHttpHeaders = {}
    const chunks: Buffer[] = []
    req.on('response', (received) => (answer = received))
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve({ status: Number(answer[':status']), headers: answer, body: Buffer.concat(chunks).toString() }))
    req.on('error', reject)
    if (body !== undefined) req.end(body)
  })
}

/** Runs curl (without blocking the event loop: the gateway may be this process); its exit code and output. */
export function curl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['--silent', '--show-error', '--max-time', '10', ...args], (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
      resolve({ code, stdout, stderr })
    })
  })
}
