import type { IncomingMessage } from 'node:http'
import { ErrorCodes, RxgateError } from '../errors.js'

const BODYLESS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS'])

/** Whether requests of this method carry a body to read; GET requests cost nothing here. */
export function carriesBody(method: string): boolean {
  return !BODYLESS.has(method)
}

/** Reads a client's body, up to a limit. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
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
