import type { IncomingMessage } from 'node:http'
import { ErrorCodes, RxgateError } from '../errors.js'

const BODYLESS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS'])

/**
 * Reads a client's body, up to a limit, for the methods that carry one. Resolves to undefined
 * for the others, so GET requests cost nothing here.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  if (BODYLESS.has(req.method ?? 'GET')) return undefined
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > limit) throw tooLarge(limit)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) throw tooLarge(limit)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks, size)
}

function tooLarge(limit: number) {
  return new RxgateError(ErrorCodes.REQUEST_TOO_LARGE, `the request body is larger than ${limit} bytes`, { limit })
}
