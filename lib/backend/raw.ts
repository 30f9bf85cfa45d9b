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
 * pipes it, and destroys it when the client goes away. A RawResponse dropped without either keeps
 * its connection busy until the backend finishes or the transport's idle timeout ends it.
 */
export interface RawResponse {
  readonly status: number
  /** As the backend sent them, hop-by-hop ones included: the renderer drops those. */
  readonly headers: IncomingHttpHeaders
  readonly body: Readable
}

/**
 * Hands a response over as a {@link RawResponse}: its body as a stream with backpressure, whose
 * `destroy()` aborts the exchange the same way on both transports (a plain destroy of
 * http2-wrapper's response would close the stream without an error code, which a backend still
 * sending does not notice).
 */
export function rawResponse(response: BackendResponse): RawResponse {
  return { status: response.status, headers: response.headers, body: toReadable(response, () => response.abort()) }
}

/** Whether a value is a {@link RawResponse} (or a plain copy of one, as `merge()` makes of a lone source). */
export function isRawResponse(value: unknown): value is RawResponse {
  if (typeof value !== 'object' || value === null) return false
  const raw = value as Partial<RawResponse>
  return (
    typeof raw.status === 'number' &&
    typeof raw.headers === 'object' &&
    raw.headers !== null &&
    raw.body instanceof Readable
  )
}
