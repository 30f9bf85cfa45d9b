import type { IncomingHttpHeaders } from 'node:http'
import { Readable } from 'node:stream'
import { toReadable } from './body-stream.js'
import type { BackendResponse } from './exchange.js'

/**
 * A `no-op` backend's answer, as it came: any status, the backend's headers, and the body still
 * arriving, untouched (compressed bytes stay compressed: the client's own `accept-encoding` is what
 * the backend was sent).
 *
 * Whoever receives it owns the body and must either read it to its end or destroy it: destroying
 * it before its end aborts the exchange (the HTTP/1.1 connection is closed, the HTTP/2 stream
 * reset), so the backend stops sending. `writeReply` does this for a reply's streamed body: it
 * writes it through, and aborts it when the client goes away. A RawResponse dropped without either
 * keeps its connection busy until the backend finishes or the transport's idle timeout ends it.
 *
 * `body` is made when first read, by a getter: a spread copy (`{ ...raw }`) has no body. To
 * change the status or the headers, write the body in: `{ ...raw, status: 203, body: raw.body }`.
 */
export interface RawResponse {
  readonly status: number
  /** As the backend sent them, hop-by-hop ones included: the renderer drops those. */
  readonly headers: IncomingHttpHeaders
  readonly body: Readable
}

/**
 * Hands a response over as a {@link RawResponse}. Its `body` is made when first read: a stream
 * with backpressure, whose `destroy()` aborts the exchange the same way on both transports (a
 * plain destroy of http2-wrapper's response would close the stream without an error code, which a
 * backend still sending does not notice). The no-op renderer takes the body without any stream
 * instead ({@link takePushedBody}): chunks go from the transport to the client as they arrive.
 */
export function rawResponse(response: BackendResponse): RawResponse {
  return new LazyRawResponse(response)
}

/**
 * A class, with `body` a getter on its prototype. An object literal with a getter of its own,
 * made per request, was measured here to make garbage collection several times dearer under load
 * (young-generation collections of 2.5 ms instead of 0.6, and a full one every 0.35 s).
 */
class LazyRawResponse implements RawResponse {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  #response: BackendResponse
  #stream: Readable | undefined
  #taken = false

  constructor(response: BackendResponse) {
    this.status = response.status
    this.headers = response.headers
    this.#response = response
  }

  get body(): Readable {
    this.#stream ??= this.#taken ? takenAlready() : toReadable(this.#response, () => this.#response.abort())
    return this.#stream
  }

  /** The body as the transport pushes it, unless it was read as a stream or taken already. */
  take(): BackendResponse | undefined {
    if (this.#stream !== undefined || this.#taken) return undefined
    this.#taken = true
    return this.#response
  }
}

/**
 * The body of a raw answer as the transport pushes it, when nobody has read `body` yet (and the
 * body is then the caller's alone: `body` no longer gives it); undefined otherwise.
 */
export function takePushedBody(raw: RawResponse): BackendResponse | undefined {
  return raw instanceof LazyRawResponse ? raw.take() : undefined
}

/** Lets a raw answer go unread: its exchange is aborted, so the backend stops sending. */
export function dropRawResponse(raw: RawResponse): void {
  const pushed = takePushedBody(raw)
  if (pushed) pushed.abort()
  else raw.body.destroy()
}

function takenAlready(): Readable {
  return new Readable({ read() {} }).destroy(new Error('rxgate: this raw answer was already written to the client'))
}

/** Whether a value is a {@link RawResponse} (or a plain object of the same fields). Does not make its stream. */
export function isRawResponse(value: unknown): value is RawResponse {
  if (value instanceof LazyRawResponse) return true
  if (typeof value !== 'object' || value === null) return false
  const raw = value as Partial<RawResponse>
  return typeof raw.status === 'number' && typeof raw.headers === 'object' && raw.headers !== null && raw.body instanceof Readable
}
