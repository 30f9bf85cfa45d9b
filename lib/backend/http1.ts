import type { IncomingHttpHeaders } from 'node:http'
import type { Dispatcher } from 'undici'
import type { BackendRequest, BackendResponse, BodySink, Cancellation, Exchange } from './exchange.js'
import type { BackendTls } from './options.js'

/** A redirect's body is read up to this size to keep its connection; a bigger one costs the socket. */
const DISCARD_LIMIT = 64 * 1024

/**
 * HTTP/1.1 through the origin's undici pool, driven by a dispatch handler: the body goes from the
 * parser to its reader with no stream, promise or listener per chunk in between (undici's
 * `request()` builds a Readable and an async resource for every call). Aborting destroys the
 * socket of a request in flight: the backend sees its connection close.
 */
export function http1Exchange(tls?: BackendTls): Exchange {
  return (request, signal) =>
    new Promise((resolve, reject) => {
      const handler = new Http1Exchange(signal, resolve, reject)
      request.connections.poolFor(request.origin, tls).dispatch(dispatchOptions(request), handler)
    })
}

function dispatchOptions(request: BackendRequest): Dispatcher.DispatchOptions {
  return { path: request.path, method: request.method as Dispatcher.HttpMethod, headers: request.headers, body: request.body ?? null }
}

/** One exchange: undici's handler while it runs, and the response its caller reads. */
class Http1Exchange implements Dispatcher.DispatchHandler, BackendResponse {
  status = 0
  headers: IncomingHttpHeaders = {}
  private controller: Dispatcher.DispatchController | undefined
  private sink: BodySink | undefined
  /** Chunks that arrived before `read()`: often the whole body, parsed with the head. */
  private early: Buffer[] = []
  private paused = false
  private ended = false
  private failure: unknown = undefined
  private answered = false

  constructor(
    private readonly signal: Cancellation,
    private readonly resolve: (response: BackendResponse) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    // Kept to the end: once the exchange is over, cancelling it does nothing.
    signal.onAbort((reason) => this.cancel(reason))
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller
    // Aborted while queued for a connection.
    if (this.signal.aborted) controller.abort(this.signal.reason as Error)
  }

  onResponseStart(controller: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders): void {
    if (status < 200) return
    this.status = status
    this.headers = headers
    this.answered = true
    this.resolve(this)
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.sink === undefined || this.early.length > 0) {
      this.early.push(chunk)
      return
    }
    if (this.sink.data(chunk) === false) this.pause()
  }

  onResponseEnd(): void {
    this.ended = true
    if (this.early.length === 0) this.settle()
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    if (!this.answered) return this.reject(error)
    this.failure = error
    this.early = []
    this.settle()
  }

  read(sink: BodySink): void {
    this.sink = sink
    this.flush()
  }

  resume(): void {
    if (!this.paused) return
    this.paused = false
    this.flush()
    if (!this.paused) this.controller?.resume()
  }

  discard(): void {
    let size = 0
    this.read({
      data: (chunk) => {
        size += chunk.length
        if (size > DISCARD_LIMIT) this.abort()
      },
      end: ignore,
      error: ignore,
    })
  }

  abort(): void {
    this.cancel(new Error('rxgate: backend request cancelled'))
  }

  private cancel(reason: unknown): void {
    if (this.ended || this.failure !== undefined) return
    if (this.controller) this.controller.abort(reason as Error)
  }

  private pause(): void {
    this.paused = true
    this.controller?.pause()
  }

  /** Hands the sink what arrived before it did, then the end or the failure if they came too. */
  private flush(): void {
    const sink = this.sink
    if (sink === undefined) return
    while (this.early.length > 0 && !this.paused) {
      if (sink.data(this.early.shift()!) === false) this.pause()
    }
    if (!this.paused && (this.ended || this.failure !== undefined)) this.settle()
  }

  /**
   * Tells the sink how the body ended, once, and lets go of it: undici keeps the handlers of
   * finished requests for a while (up to 256 per connection), and a sink holds its reader's
   * world (a client response, a decoder and its chunks).
   */
  private settle(): void {
    const sink = this.sink
    if (sink === undefined) return
    this.sink = undefined
    if (this.failure !== undefined) sink.error(this.failure)
    else sink.end()
  }
}

function ignore(): void {}
