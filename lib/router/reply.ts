import type { OutgoingHttpHeaders, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { RxgateError, clientMessage, errorCode, errorPolicy } from '../errors.js'
import type { GatewayRequest } from '../request.js'

export const COMPLETED_HEADER = 'X-Rxgate-Completed'

/** A whole HTTP answer: what an endpoint's renderer makes of its pipeline's result. */
export interface Reply {
  readonly status: number
  /** Every header but the completion header and, for bytes, Content-Length. */
  readonly headers: Readonly<Record<string, string | number | readonly string[]>>
  /** Bytes to send at once, or a body to stream through: a stream to pipe, or one pushed as it arrives (a no-op backend's). */
  readonly body: string | Buffer | Readable | PushedBody
  /** Sent as `X-Rxgate-Completed`: whether every backend delivered. */
  readonly completed: boolean
}

/**
 * A body its source pushes chunk by chunk, with no stream in between: a no-op backend's, straight
 * from the transport. Aborting it stops the sender.
 */
export interface PushedBody {
  read(sink: { data(chunk: Buffer): boolean | void; end(): void; error(error: unknown): void }): void
  /** Resumes a body paused by a `data` that returned false. */
  resume(): void
  abort(): void
}

/** Turns a pipeline's result into the reply for this request. Built once per endpoint. */
export type Render = (result: unknown, request: GatewayRequest) => Reply

const JSON_TYPE = 'application/json; charset=utf-8'

/**
 * An answer the gateway makes itself (404, 405, 500, ...): JSON carrying the error's code, and
 * its message only when the error policy (`lib/errors.ts`) says a client may read it, with the
 * error's own headers (`WWW-Authenticate`, `Retry-After`). The status is the policy's unless given.
 */
export function errorReply(error: unknown, headers: Reply['headers'] = {}, status = errorPolicy(error).status): Reply {
  const body = JSON.stringify({ error: { code: errorCode(error), message: clientMessage(error) } })
  const own = error instanceof RxgateError ? error.headers : undefined
  return { status, headers: { ...headers, ...own, 'Content-Type': JSON_TYPE }, body, completed: false }
}

const COMPLETED = Symbol('rxgate.completed')

/**
 * Writes a reply. A streamed body that fails midway cuts the response: the client sees it
 * truncated, and a pushed body's failure (not the client going away) is told to `bodyFailed`.
 * Every header goes in one `writeHead` object: a header set before with `setHeader` would send
 * node:http down its slower path, which sets each header again one by one.
 */
export function writeReply(res: ServerResponse, reply: Reply, bodyFailed?: (error: unknown) => void): void {
  ;(res as ServerResponse & { [COMPLETED]?: boolean })[COMPLETED] = reply.completed
  const completed = reply.completed ? 'true' : 'false'
  const { body } = reply
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length
    res.writeHead(reply.status, { [COMPLETED_HEADER]: completed, ...(reply.headers as OutgoingHttpHeaders), 'Content-Length': length })
    res.end(body)
    return
  }
  res.writeHead(reply.status, { [COMPLETED_HEADER]: completed, ...(reply.headers as OutgoingHttpHeaders) })
  if (body instanceof Readable) {
    body.once('error', () => res.destroy())
    res.once('close', () => body.destroy())
    body.pipe(res)
  } else writePushed(res, body, bodyFailed)
}

/** Writes a pushed body through as it arrives, with backpressure; the client going away aborts it. */
function writePushed(res: ServerResponse, body: PushedBody, bodyFailed: ((error: unknown) => void) | undefined): void {
  let ended = false
  res.on('drain', () => body.resume())
  res.on('close', () => {
    if (ended) return
    ended = true
    body.abort()
  })
  body.read({
    data: (chunk) => res.write(chunk),
    end: () => {
      ended = true
      res.end()
    },
    error: (error) => {
      // after the client went away, what breaks is only the abort it caused
      if (ended) return
      ended = true
      bodyFailed?.(error)
      res.destroy()
    },
  })
}

/** Whether the reply written to `res` said it was complete (false before one is written). */
export function completedOf(res: ServerResponse): boolean {
  return (res as ServerResponse & { [COMPLETED]?: boolean })[COMPLETED] === true
}
