import type { IncomingMessage } from 'node:http'
import { ErrorCodes, RxgateError } from '../errors.js'

const BODYLESS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS'])

/** Whether requests of this method carry a body to read; GET requests cost nothing here. */
export function carriesBody(method: string): boolean {
  return !BODYLESS.has(method)
}

/**
 * Reads a client's body, up to a limit. In a host app (`gateway.handler()`), a body parser that
 * ran first has read the stream already: its raw bytes (`express.raw()`, `express.text()`) are
 * taken; anything else (a parsed document) is no longer the client's bytes, and is an error that
 * says so.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  if (req.readableEnded) return alreadyRead(req, limit)
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

function alreadyRead(req: IncomingMessage, limit: number): Buffer {
  const { body } = req as IncomingMessage & { body?: unknown }
  const bytes = Buffer.isBuffer(body) ? body : typeof body === 'string' ? Buffer.from(body) : undefined
  if (!bytes) {
    throw new RxgateError(
      ErrorCodes.INTERNAL,
      "the request body was read by a middleware that runs before rxgate's handler (express.json(), say): mount the handler before body parsers, or read it with express.raw()",
    )
  }
  if (bytes.length > limit) throw tooLarge(limit)
  return bytes
}

function tooLarge(limit: number) {
  return new RxgateError(ErrorCodes.REQUEST_TOO_LARGE, `the request body is larger than ${limit} bytes`, { limit })
}
