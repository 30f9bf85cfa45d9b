import type { IncomingHttpHeaders } from 'node:http'
import { ErrorCodes, RxgateError } from '../errors.js'
import type { Connections } from './connections.js'

/** One HTTP request to a backend, as the transports take it. */
export interface BackendRequest {
  /** `http://api:8080`: selects the pool or session. */
  readonly origin: string
  /** Path and query, already encoded; sent as is (never re-normalized by a URL parser). */
  readonly path: string
  readonly method: string
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  readonly body?: Buffer | undefined
  /** Whose connections carry it: the serving gateway's. */
  readonly connections: Connections
}

/** Where a body goes, chunk by chunk, as it arrives. */
export interface BodySink {
  /** The next chunk. Returning `false` pauses the sender until its source's `resume()`. */
  data(chunk: Buffer): boolean | void
  /** The body is complete. */
  end(): void
  /** The body broke off (the connection dropped, the stream was reset). */
  error(error: unknown): void
}

/** A body that pushes its chunks to one sink: no stream in between unless one is asked for. */
export interface BodySource {
  /** Hands the body to `sink`, chunks that arrived before this call first. Called once. */
  read(sink: BodySink): void
  /** Resumes a body that the sink paused by returning `false`. */
  resume(): void
}

/** A backend's answer: the head at once, the body as it arrives. */
export interface BackendResponse extends BodySource {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  /** Throws the body away, keeping the connection reusable when that is cheap (a redirect's short body). */
  discard(): void
  /**
   * Ends the exchange now, whatever remains of the body: the HTTP/1.1 connection is closed, the
   * HTTP/2 stream reset, so the backend stops sending. A sink still reading may hear of it as an
   * error. Safe to call more than once.
   */
  abort(): void
}

/**
 * A call's cancellation. Made for every backend call, so it is the least that works: one
 * listener at a time, set by the exchange in flight (a redirect's next exchange replaces it),
 * where an AbortController, an EventTarget, costs several times more to create and to listen to.
 */
export class Cancellation {
  aborted = false
  reason: unknown = undefined
  private listener: ((reason: unknown) => void) | undefined

  /** What to do on abort, in place of the previous listener. */
  onAbort(listener: (reason: unknown) => void): void {
    this.listener = listener
  }

  abort(reason: unknown = new Error('rxgate: backend request cancelled')): void {
    if (this.aborted) return
    this.aborted = true
    this.reason = reason
    const listener = this.listener
    this.listener = undefined
    listener?.(reason)
  }
}

/**
 * A transport: sends a request and resolves with the response head. Cancelling aborts the
 * request at any point, body included: the connection (HTTP/1.1) or stream (HTTP/2) is closed.
 */
export type Exchange = (request: BackendRequest, signal: Cancellation) => Promise<BackendResponse>

/** `BACKEND_NETWORK` for anything that went wrong on the wire: refused, reset, DNS, closed early. */
export function networkError(error: unknown, url: string): RxgateError {
  if (error instanceof RxgateError) return error
  const code = errorCode(error)
  const reason = error instanceof Error ? error.message : String(error)
  return new RxgateError(
    ErrorCodes.BACKEND_NETWORK,
    `backend ${url} could not be reached or dropped the connection (${code ?? reason}): check that it runs and accepts connections`,
    { url, ...(code === undefined ? {} : { code }), reason },
    { cause: error },
  )
}

const SYSTEM_CODE = /^E(?!RR_)[A-Z_]+$/

/** The most telling code of an error or of its causes (`ECONNREFUSED` behind undici's wrapper, ...). */
function errorCode(error: unknown): string | undefined {
  let codes: string | undefined
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && (codes === undefined || SYSTEM_CODE.test(code))) codes = code
    current = current.cause
  }
  return codes
}
