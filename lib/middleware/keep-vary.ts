import type { OutgoingHttpHeaders, ServerResponse } from 'node:http'

/**
 * Makes a response keep the `Vary` it was given before its answer (a CORS middleware's `Origin`)
 * when the answer brings a `Vary` of its own (a negotiated encoding's `Accept`): node:http would
 * let the answer's replace it, and a cache would then serve one origin's answer to another. The
 * two lists are joined, each name once. One shared function, no closure per request.
 *
 * @example
 * res.setHeader('Vary', 'Origin')
 * keepVary(res)
 * res.writeHead(200, { Vary: 'Accept' })  // sends Vary: Origin, Accept
 */
export function keepVary(res: ServerResponse): void {
  res.writeHead = writeHeadKeepingVary as ServerResponse['writeHead']
}

function writeHeadKeepingVary(this: ServerResponse, status: number, ...rest: unknown[]): ServerResponse {
  const last = rest.length - 1
  const headers = rest[last]
  if (last >= 0 && typeof headers === 'object' && headers !== null && !Array.isArray(headers)) {
    // the two spellings node's and rxgate's replies use; no walk over every header
    const key = 'Vary' in headers ? 'Vary' : 'vary' in headers ? 'vary' : undefined
    const before = this.getHeader('vary')
    if (key !== undefined && before !== undefined) {
      const theirs = (headers as OutgoingHttpHeaders)[key]
      rest[last] = { ...headers, [key]: joinVary(before, theirs) }
    }
  }
  // the response's own class's: node:http's, or node:http2's compatibility response
  const writeHead = (Object.getPrototypeOf(this) as ServerResponse).writeHead as (this: ServerResponse, status: number, ...rest: unknown[]) => ServerResponse
  return writeHead.call(this, status, ...rest)
}

function joinVary(...values: unknown[]): string {
  const names = new Map<string, string>()
  for (const value of values) {
    for (const item of [value].flat()) {
      for (const name of String(item ?? '').split(',')) {
        const trimmed = name.trim()
        if (trimmed !== '' && !names.has(trimmed.toLowerCase())) names.set(trimmed.toLowerCase(), trimmed)
      }
    }
  }
  return [...names.values()].join(', ')
}
