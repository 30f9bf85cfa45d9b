import type { IncomingHttpHeaders } from 'node:http'
import { pipeline } from 'node:stream'
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib'
import type { DecoderFactory } from '../codec/decoder.js'
import { NestingTooDeepError } from '../codec/depth.js'
import { ErrorCodes, RxgateError } from '../errors.js'
import { fromReadable, toReadable } from './body-stream.js'
import { networkError, type BackendResponse, type BodySource } from './exchange.js'
import { ERROR_BODY_BYTES } from './status.js'

/**
 * How much of a body that failed to decode its `BACKEND_DECODE` error shows. Kept short: this head
 * is kept for every success body while it is read, in case it turns out not to decode.
 */
export const DECODE_HEAD_BYTES = 512

/**
 * Reads a success body into a decoder as it arrives, under a hard size limit counted on the decoded
 * bytes (so a compressed bomb is caught too). Throws `BACKEND_TOO_LARGE`, `BACKEND_TOO_DEEP`,
 * `BACKEND_DECODE` (with the first bytes) or `BACKEND_NETWORK`; on a throw the exchange is aborted
 * first, so the backend stops sending. `onBytes` is told how many bytes the body had, once it is read.
 */
export async function decodeBody<T>(
  response: BackendResponse,
  decoders: DecoderFactory<T>,
  maxBytes: number,
  url: string,
  onBytes?: (bytes: number) => void,
): Promise<T> {
  const { status, headers } = response
  const coding = contentCoding(headers)
  if (coding === undefined) {
    response.abort()
    throw decodeError(url, status, Buffer.alloc(0), new Error(`unsupported content-encoding ${String(headers['content-encoding'])}`))
  }
  const declared = coding === 'identity' ? contentLength(headers) : undefined
  if (declared !== undefined && declared > maxBytes) {
    response.abort()
    throw tooLarge(url, maxBytes, declared)
  }
  const decoder = decoders(declared)
  const head = new Head(DECODE_HEAD_BYTES)
  let size = 0
  try {
    await readChunks(decoded(response, coding), (chunk) => {
      size += chunk.length
      if (size > maxBytes) throw tooLarge(url, maxBytes)
      head.add(chunk)
      try {
        decoder.write(chunk)
      } catch (error) {
        throw decodeError(url, status, head.bytes(), error)
      }
    })
  } catch (error) {
    response.abort()
    if (error instanceof RxgateError) throw error
    if (isCodingError(error)) throw decodeError(url, status, head.bytes(), error)
    throw networkError(error, url)
  }
  onBytes?.(size)
  try {
    return decoder.end()
  } catch (error) {
    throw decodeError(url, status, head.bytes(), error)
  }
}

/**
 * The first bytes (up to {@link ERROR_BODY_BYTES}) of a failed response's body, for its error.
 * Stops reading there (a short body ends first and keeps its connection); a failure while reading
 * just shortens what is shown.
 */
export async function bodyHead(response: BackendResponse, limit = ERROR_BODY_BYTES): Promise<Buffer> {
  const head = new Head(limit)
  const coding = contentCoding(response.headers)
  let ended = false
  try {
    ended = await readChunks(coding === undefined ? response : decoded(response, coding), (chunk) => {
      head.add(chunk)
      return !head.full
    })
  } catch {
    // what arrived is all there is to show
  }
  if (!ended) response.abort()
  return head.bytes()
}

/**
 * Feeds a body's chunks to `take` until the end; `take` stops early by returning `false` or
 * throwing. Resolves with whether the body was read to its end; whoever stopped early aborts.
 */
function readChunks(source: BodySource, take: (chunk: Buffer) => boolean | void): Promise<boolean> {
  return new Promise((resolve, reject) => {
    let done = false
    source.read({
      data: (chunk) => {
        if (done) return
        try {
          if (take(chunk) === false) {
            done = true
            resolve(false)
          }
        } catch (error) {
          done = true
          reject(error)
        }
      },
      end: () => {
        if (done) return
        done = true
        resolve(true)
      },
      error: (error) => {
        if (done) return
        done = true
        reject(error)
      },
    })
  })
}

export type Coding = 'identity' | 'gzip' | 'deflate' | 'br'

export function contentCoding(headers: IncomingHttpHeaders): Coding | undefined {
  const value = headers['content-encoding']
  if (value === undefined) return 'identity'
  const coding = value.trim().toLowerCase()
  if (coding === '' || coding === 'identity') return 'identity'
  if (coding === 'gzip' || coding === 'x-gzip') return 'gzip'
  if (coding === 'deflate' || coding === 'br') return coding
  return undefined
}

export function contentLength(headers: IncomingHttpHeaders): number | undefined {
  const value = headers['content-length']
  if (value === undefined || !/^\d+$/.test(value)) return undefined
  return Number(value)
}

/** The body with its content coding undone; errors of either side reach the reader. */
export function decoded(response: BackendResponse, coding: Coding): BodySource {
  if (coding === 'identity') return response
  const inflate = coding === 'gzip' ? createGunzip() : coding === 'deflate' ? createInflate() : createBrotliDecompress()
  pipeline(toReadable(response, () => response.abort()), inflate, ignore)
  return fromReadable(inflate)
}

/** zlib and brotli report corrupt data with these codes; anything else on the way is the network. */
export function isCodingError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && (code.startsWith('Z_') || code.startsWith('ERR__ERROR') || code.includes('BROTLI'))
}

export function tooLarge(url: string, maxBytes: number, declared?: number): RxgateError {
  return new RxgateError(
    ErrorCodes.BACKEND_TOO_LARGE,
    `backend ${url} sent a body over the ${maxBytes}-byte limit: select less from the backend, or raise the backend's maxBodyBytes`,
    { url, maxBodyBytes: maxBytes, ...(declared === undefined ? {} : { contentLength: declared }) },
  )
}

/** What a decoder's throw becomes: `BACKEND_TOO_DEEP` for a document past its nesting limit, else `BACKEND_DECODE`. */
export function decodeError(url: string, status: number, head: Buffer, error: unknown): RxgateError {
  if (error instanceof NestingTooDeepError) return tooDeep(url, error)
  const reason = error instanceof Error ? error.message : String(error)
  return new RxgateError(
    ErrorCodes.BACKEND_DECODE,
    `backend ${url} sent a body that could not be decoded (${reason}): check its encoding and content`,
    { url, status, body: head.toString('utf8') },
    { cause: error },
  )
}

function tooDeep(url: string, error: NestingTooDeepError): RxgateError {
  const limit = error.maxNestingDepth
  return new RxgateError(
    ErrorCodes.BACKEND_TOO_DEEP,
    `backend ${url} sent a document nested deeper than ${limit} levels: it is refused, so that no walk over it can exhaust the stack; ` +
      `have the backend send flatter data, or raise the backend's maxNestingDepth (max_nesting_depth) if it must nest this deep`,
    { url, maxNestingDepth: limit },
    { cause: error },
  )
}

/**
 * Keeps the first `limit` bytes seen, for error messages. Views, not copies: this runs for every
 * body, and a view holds at most the socket chunk it came in (tens of KB) for the call's life.
 */
export class Head {
  private readonly parts: Buffer[] = []
  private size = 0
  constructor(private readonly limit: number) {}
  get full(): boolean {
    return this.size >= this.limit
  }
  add(chunk: Buffer): void {
    if (this.size >= this.limit) return
    const part = chunk.subarray(0, this.limit - this.size)
    this.parts.push(part)
    this.size += part.length
  }
  bytes(): Buffer {
    return Buffer.concat(this.parts, this.size)
  }
}

function ignore(): void {}
