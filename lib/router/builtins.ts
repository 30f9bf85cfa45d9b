import { map, tap } from 'rxjs'
import type { Logger } from '../logger.js'
import type { GatewayRequest } from '../request.js'
import type { Pipeline } from './endpoint.js'

/** The methods the built-in endpoints answer. */
export const BUILTIN_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const

/**
 * `/__echo/`: the request as the gateway received it, as KrakenD's echo endpoint writes it, to see
 * what a client (or the gateway itself, used as a backend) really sends.
 */
export function echo(): Pipeline {
  return map((request: GatewayRequest) => {
    const search = request.query.toString()
    const query = search ? `?${search}` : ''
    return {
      req_uri: request.path + query,
      req_uri_details: { host: String(request.headers.host ?? ''), path: request.path, query },
      req_method: request.method,
      req_querystring: Object.fromEntries([...new Set(request.query.keys())].map((key) => [key, request.query.getAll(key)])),
      req_body: request.body?.length ? request.body.toString('utf8') : undefined,
      req_headers: Object.fromEntries(
        Object.entries(request.headers)
          .filter(([, value]) => value !== undefined)
          .map(([name, value]) => [canonical(name), Array.isArray(value) ? value : [value]]),
      ),
    }
  })
}

/** `/__debug/`: logs the request at debug level and answers `{"message":"pong"}`, as KrakenD's. */
export function debug(logger: Logger): Pipeline {
  return (request$) =>
    request$.pipe(
      tap((request) =>
        logger.debug({ method: request.method, path: request.path, query: request.query.toString(), headers: request.headers }, 'debug endpoint'),
      ),
      map(() => ({ message: 'pong' })),
    )
}

/** `content-type` → `Content-Type`, as Go writes header names. */
function canonical(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase())
}
