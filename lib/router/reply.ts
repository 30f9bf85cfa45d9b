import type { OutgoingHttpHeaders, ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import type { Merged } from '../../operators/merge.js'
import type { Encode } from '../codec/json-encoder.js'
import { ErrorCodes, RxgateError } from '../errors.js'
import type { GatewayRequest } from '../request.js'

export const COMPLETED_HEADER = 'X-Rxgate-Completed'

/** A whole HTTP answer: what an endpoint's renderer makes of its pipeline's result. */
export interface Reply {
  readonly status: number
  /** Every header but the completion header and, for bytes, Content-Length. */
  readonly headers: Readonly<Record<string, string | number | readonly string[]>>
  /** Bytes to send at once, or a stream to pipe (a no-op backend's body). */
  readonly body: string | Buffer | Readable
  /** Sent as `X-Rxgate-Completed`: whether every backend delivered. */
  readonly completed: boolean
}

/** Turns a pipeline's result into the reply for this request. Built once per endpoint. */
export type Render = (result: unknown, request: GatewayRequest) => Reply

const JSON_TYPE = 'application/json; charset=utf-8'

/** Whether a pipeline's result is a `merge()` answer rather than plain data. */
export function isMerged(value: unknown): value is Merged<unknown> {
  if (typeof value !== 'object' || value === null) return false
  const answer = value as Partial<Merged<unknown>>
  return typeof answer.complete === 'boolean' && Array.isArray(answer.errors) && 'data' in answer
}

/**
 * The default renderer: a `merge()` answer is 200 with its data and the completion header, or
 * 500 when no source delivered (as KrakenD); any other value is a complete 200 of JSON.
 */
export function jsonRender(encode: Encode): Render {
  return (result) => {
    if (!isMerged(result)) return { status: 200, headers: { 'Content-Type': JSON_TYPE }, body: encode(result), completed: true }
    if (!result.complete && result.delivered === 0) {
      return errorReply(500, new RxgateError(ErrorCodes.PIPELINE, 'no backend of this endpoint answered'))
    }
    return { status: 200, headers: { 'Content-Type': JSON_TYPE }, body: encode(result.data), completed: result.complete }
  }
}

/** An answer the gateway makes itself (404, 405, 500, ...): JSON carrying the error's code. */
export function errorReply(status: number, error: RxgateError, headers: Reply['headers'] = {}): Reply {
  const body = JSON.stringify({ error: { code: error.code, message: error.message } })
  return { status, headers: { ...headers, 'Content-Type': JSON_TYPE }, body, completed: false }
}

/** Writes a reply. A streamed body that fails midway cuts the response: the client sees it truncated. */
export function writeReply(res: ServerResponse, reply: Reply): void {
  // Set apart from writeHead's so that the access log can read it back.
  res.setHeader(COMPLETED_HEADER, String(reply.completed))
  const { body } = reply
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    res.writeHead(reply.status, { ...(reply.headers as OutgoingHttpHeaders), 'Content-Length': Buffer.byteLength(body) })
    res.end(body)
    return
  }
  res.writeHead(reply.status, reply.headers as OutgoingHttpHeaders)
  body.once('error', () => res.destroy())
  res.once('close', () => body.destroy())
  body.pipe(res)
}
