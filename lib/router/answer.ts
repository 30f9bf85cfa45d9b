import type { ServerResponse } from 'node:http'
import type { Merged } from '../../operators/merge.js'
import type { Encode } from '../codec/json-encoder.js'
import { ErrorCodes, RxgateError } from '../errors.js'

export const COMPLETED_HEADER = 'X-Rxgate-Completed'

/** Whether a pipeline's result is a `merge()` answer rather than plain data. */
export function isMerged(value: unknown): value is Merged<unknown> {
  if (typeof value !== 'object' || value === null) return false
  const answer = value as Partial<Merged<unknown>>
  return typeof answer.complete === 'boolean' && Array.isArray(answer.errors) && 'data' in answer
}

/**
 * Writes a pipeline's result. A `merge()` answer is 200 with the completion header telling whether
 * every source delivered, or 500 when none did (as KrakenD); plain data is a complete 200.
 */
export function sendResult(res: ServerResponse, result: unknown, encode: Encode): void {
  if (!isMerged(result)) {
    sendJson(res, 200, encode(result), true)
    return
  }
  if (!result.complete && result.delivered === 0) sendError(res, 500, new RxgateError(ErrorCodes.PIPELINE, 'no backend of this endpoint answered', {}), false)
  else sendJson(res, 200, encode(result.data), result.complete)
}

/** An answer the gateway makes itself (404, 405, 500, ...): JSON carrying the error's code. */
export function sendError(res: ServerResponse, status: number, error: RxgateError, completed = false): void {
  sendJson(res, status, JSON.stringify({ error: { code: error.code, message: error.message } }), completed)
}

export function sendJson(res: ServerResponse, status: number, body: string, completed: boolean): void {
  // Set apart from writeHead's so that the access log can read it back.
  res.setHeader(COMPLETED_HEADER, String(completed))
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) })
  res.end(body)
}
