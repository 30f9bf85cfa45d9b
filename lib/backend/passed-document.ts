import type { DecoderFactory } from '../codec/decoder.js'
import { jsonChecker, withoutBom, type JsonChecker } from '../codec/json-check.js'
import { RxgateError } from '../errors.js'
import { DECODE_HEAD_BYTES, Head, contentCoding, contentLength, decodeBody, decodeError, decoded, isCodingError, tooLarge } from './body.js'
import { networkError, type BackendResponse, type BodySink, type BodySource } from './exchange.js'

/** How {@link passBody} reads a backend's bodies: the same for each of its calls, built once. */
export interface PassOptions {
  /** The decoder of a body that ends within `threshold` bytes (`checkedJsonDecoder`, for a backend call). */
  readonly decoders: DecoderFactory
  /** Bodies up to this many bytes are decoded as any other; longer ones pass as a {@link PassedDocument}. */
  readonly threshold: number
  /** The backend's `maxBodyBytes`: past it the body is cut with `BACKEND_TOO_LARGE`. */
  readonly maxBytes: number
  /** The backend's `maxNestingDepth`: past it the body is cut with `BACKEND_TOO_DEEP`. */
  readonly maxNestingDepth: number
}

/**
 * Reads the success body of a `json` backend whose document its endpoint passes whole. A body
 * declared (`Content-Length`) within `threshold` bytes is decoded as any other (`decodeBody`), as
 * is one of unknown length that ends within it. A longer one resolves, once its first `threshold`
 * bytes have arrived and been checked, with a {@link PassedDocument}: the body still arriving,
 * which its reader gets checked as it streams. So a fault in those first bytes (most documents
 * that are not JSON at all, and any too deep) still fails the call before anything is answered.
 * Throws what `decodeBody` throws for a body it reads, and the same errors for a fault found
 * before the document passes. `url`, the URL asked, names the backend in errors; `onBytes` is
 * told how many bytes the body had, once it has all been read. (They are arguments rather than
 * fields of a per-call copy of `options`: that copy, one object spread per call, was measured
 * promoted to the old generation, 0.3 KB per request.)
 *
 * @example
 * const value = await passBody(response, { decoders, threshold: 64 * 1024, maxBytes, maxNestingDepth }, url)
 * if (value instanceof PassedDocument) reply.body = value    // written through by writeReply
 */
export function passBody(response: BackendResponse, options: PassOptions, url: string, onBytes?: (bytes: number) => void): Promise<unknown> {
  const { threshold, maxBytes } = options
  const coding = contentCoding(response.headers)
  const declared = coding === 'identity' ? contentLength(response.headers) : undefined
  if (coding === undefined || (declared !== undefined && (declared <= threshold || declared > maxBytes))) {
    return decodeBody(response, options.decoders, maxBytes, url, onBytes)
  }
  return new Promise((resolve, reject) => new PassedDocument(response, options, url, onBytes).start(decoded(response, coding), { resolve, reject }))
}

/** Whom reading tells, once, whether the body passes or is decoded, or what failed first. */
interface Outcome {
  readonly resolve: (value: unknown) => void
  readonly reject: (error: unknown) => void
}

/**
 * A backend's JSON document on its way to the client as it arrives, checked on the way: a body
 * one reader takes (`read`, with backpressure: a `data` that returns false holds the body, and the
 * backend's connection, until `resume`). Every chunk is checked as it arrives (`jsonChecker`:
 * syntax, nesting limit; and the size limit), the end given on only once the document is known
 * whole; a fault ends the body with an `RxgateError` naming the backend (`BACKEND_DECODE`,
 * `BACKEND_TOO_DEEP`, `BACKEND_TOO_LARGE`, `BACKEND_NETWORK`) and aborts the exchange, so the
 * backend stops sending. A leading UTF-8 byte order mark is not given on, as the buffered path
 * sends the document without it. Made by {@link passBody}.
 *
 * Its reader owns it: it must read it to its end or `abort` it. A document nobody took is let go
 * with `drop` (the backend call does when it is torn down).
 */
export class PassedDocument {
  /** Chunks checked and not given on yet (while gathering: read, not checked yet). */
  private pending: Buffer[] = []
  private size = 0
  private sink: BodySink | undefined
  /** The reader asked to wait (its `data` returned false) until `resume()`. */
  private held = false
  private ended = false
  private failure: RxgateError | undefined
  /** The reader has heard the end or the failure, or let the body go: nothing more happens. */
  private done = false
  private taken = false
  private first = true
  /** Set while the first `threshold` bytes are gathered, until the body passes or ends. */
  private outcome: Outcome | undefined
  private source: BodySource | undefined
  /** Made once the body passes: a short body of unknown length is decoded as any other. */
  private checker: JsonChecker | undefined
  private readonly head = new Head(DECODE_HEAD_BYTES)

  constructor(
    private readonly response: BackendResponse,
    private readonly options: PassOptions,
    private readonly url: string,
    private readonly onBytes: ((bytes: number) => void) | undefined,
  ) {}

  /** Starts reading `source` (the response, its content coding undone), gathering its first bytes; `outcome` hears how that ends. */
  start(source: BodySource, outcome: Outcome): void {
    this.outcome = outcome
    this.source = source
    source.read({ data: (chunk) => this.arrived(chunk), end: () => this.arrivedEnd(), error: (error) => this.broke(error) })
  }

  /** Hands the document to its one reader: what arrived first, then the rest as it comes. */
  read(sink: BodySink): void {
    if (this.taken) return sink.error(new Error('rxgate: this document was already read'))
    this.taken = true
    this.sink = sink
    if (this.failure) {
      this.done = true
      return sink.error(this.failure)
    }
    this.flush()
  }

  /** Resumes a body held by a `data` that returned false. */
  resume(): void {
    this.held = false
    this.flush()
  }

  /** Lets the body go before its end: the exchange is aborted, and the reader hears nothing more. */
  abort(): void {
    if (this.done) return
    this.done = true
    this.pending = []
    this.response.abort()
  }

  /** Lets the body go unless a reader took it. */
  drop(): void {
    if (!this.taken) this.abort()
  }

  private arrived(chunk: Buffer): boolean {
    if (this.done || this.failure) return false
    this.size += chunk.length
    if (this.size > this.options.maxBytes) {
      this.fail(tooLarge(this.url, this.options.maxBytes))
      return false
    }
    const outcome = this.outcome
    if (outcome) {
      this.pending.push(chunk)
      return this.size <= this.options.threshold || this.pass(outcome)
    }
    const checked = this.check(chunk)
    if (checked === undefined) return false
    if (this.sink === undefined || this.held || this.pending.length > 0) {
      this.pending.push(checked)
      return false
    }
    return this.give(checked)
  }

  private arrivedEnd(): void {
    if (this.done || this.failure) return
    this.ended = true
    const outcome = this.outcome
    if (outcome) this.decodeWhole(outcome)
    else this.flush()
  }

  private broke(error: unknown): void {
    if (this.done || this.failure) return
    const { url } = this
    this.fail(error instanceof RxgateError ? error : isCodingError(error) ? decodeError(url, this.response.status, this.head.bytes(), error) : networkError(error, url))
  }

  /** The body grew past the threshold: what was gathered is checked, and the document passes; held until its reader comes. */
  private pass(outcome: Outcome): false {
    const gathered = this.pending
    this.pending = []
    for (const chunk of gathered) {
      const checked = this.check(chunk)
      if (checked === undefined) return false
      this.pending.push(checked)
    }
    this.outcome = undefined
    outcome.resolve(this)
    return false
  }

  /** A body that ended within the threshold: decoded as any other. */
  private decodeWhole({ resolve, reject }: Outcome): void {
    const chunks = this.pending
    this.pending = []
    this.outcome = undefined
    this.done = true
    const decoder = this.options.decoders(this.size)
    try {
      for (const chunk of chunks) decoder.write(chunk)
      const value = decoder.end()
      this.onBytes?.(this.size)
      resolve(value)
    } catch (error) {
      const head = new Head(DECODE_HEAD_BYTES)
      for (const chunk of chunks) head.add(chunk)
      reject(decodeError(this.url, this.response.status, head.bytes(), error))
    }
  }

  /** Checks one chunk: what to give on of it, or undefined once the document failed. */
  private check(chunk: Buffer): Buffer | undefined {
    if (this.first) {
      this.first = false
      // (a mark split over the first two chunks would pass: no socket splits three bytes)
      chunk = withoutBom(chunk)
    }
    this.head.add(chunk)
    try {
      this.checking().write(chunk)
      return chunk
    } catch (error) {
      this.fail(decodeError(this.url, this.response.status, this.head.bytes(), error))
      return undefined
    }
  }

  private checking(): JsonChecker {
    return (this.checker ??= jsonChecker(this.options.maxNestingDepth))
  }

  /** Gives a checked chunk to the reader; false once it must wait. */
  private give(chunk: Buffer): boolean {
    if (chunk.length > 0 && this.sink!.data(chunk) === false) this.held = true
    return !this.held
  }

  /** Gives the reader what waits, then the end once all is given and the document is known whole. */
  private flush(): void {
    if (this.sink === undefined || this.done) return
    while (this.pending.length > 0 && !this.held) this.give(this.pending.shift()!)
    if (this.held || this.pending.length > 0) return
    if (this.ended) this.finish()
    else this.source?.resume()
  }

  private finish(): void {
    try {
      this.checking().end()
    } catch (error) {
      return this.fail(decodeError(this.url, this.response.status, this.head.bytes(), error))
    }
    this.done = true
    this.onBytes?.(this.size)
    this.sink!.end()
  }

  /** The body cannot pass: the exchange is aborted, and whoever waits told (the call before it passed, the reader after). */
  private fail(error: RxgateError): void {
    this.failure = error
    this.pending = []
    this.response.abort()
    const outcome = this.outcome
    if (outcome) {
      this.outcome = undefined
      this.done = true
      return outcome.reject(error)
    }
    if (this.sink === undefined) return
    this.done = true
    this.sink.error(error)
  }
}
