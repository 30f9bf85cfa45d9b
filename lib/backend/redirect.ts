import { ErrorCodes, RxgateError } from '../errors.js'
import type { BackendRequest } from './exchange.js'

const REDIRECTS = new Set([301, 302, 303, 307, 308])

/** Whether a status asks the client to go elsewhere (and carries a `location` to follow). */
export function isRedirect(status: number): boolean {
  return REDIRECTS.has(status)
}

/** Credentials that must not follow a redirect to another origin, as browsers and Go's client do. */
const CREDENTIALS = ['authorization', 'cookie', 'proxy-authorization']

/**
 * The request that follows a redirect. 303, and 301/302 after a POST, become a GET without body
 * (what every client does); 307/308 repeat the method and body. Credentials are dropped when the
 * origin changes. `Referer` names the URL redirected from, as Go's client (so KrakenD) sets it:
 * the first request's own `Referer` when it had one, none from https to http. Throws
 * `BACKEND_REDIRECT` for a missing or unusable `location`.
 */
export function followRedirect(
  from: BackendRequest,
  status: number,
  location: string | string[] | undefined,
  explicitReferer?: string,
): BackendRequest {
  const url = from.origin + from.path
  const target = Array.isArray(location) ? location[0] : location
  if (!target) throw redirectError(`backend ${url} answered ${status} without a location to follow`, { url, status })
  let next: URL
  try {
    next = new URL(target, url)
  } catch {
    throw redirectError(`backend ${url} redirected to ${JSON.stringify(target)}, which is not a URL`, { url, status, location: target })
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw redirectError(`backend ${url} redirected to ${next.protocol} URL ${next.href}; only http and https are followed`, {
      url,
      status,
      location: target,
    })
  }
  const headers: Record<string, string> = { ...from.headers }
  let method = from.method
  let body = from.body
  if (status === 303 ? method !== 'HEAD' : (status === 301 || status === 302) && method === 'POST') {
    method = 'GET'
    body = undefined
    delete headers['content-type']
  }
  if (next.origin !== from.origin) for (const name of CREDENTIALS) delete headers[name]
  if (from.origin.startsWith('https:') && next.protocol === 'http:') delete headers.referer
  else headers.referer = explicitReferer ?? url
  return { origin: next.origin, path: next.pathname + next.search, method, headers, body, connections: from.connections }
}

/** `BACKEND_REDIRECT` once the chain is longer than allowed. */
export function tooManyRedirects(url: string, max: number): RxgateError {
  return redirectError(
    `backend ${url} redirected more than ${max} times: fix the redirect loop, or raise the backend's maxRedirects`,
    { url, maxRedirects: max },
  )
}

function redirectError(message: string, details: Record<string, unknown>): RxgateError {
  return new RxgateError(ErrorCodes.BACKEND_REDIRECT, message, details)
}
