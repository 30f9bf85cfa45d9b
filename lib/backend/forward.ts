import type { GatewayRequest } from '../request.js'
import { VERSION } from '../version.js'
import type { AllowList } from './options.js'

/** What the backend request carries from the client, compiled once from the allow-lists. */
export interface Forwarding {
  /**
   * The backend request's headers: allowed client headers, then the gateway's own:
   * `X-Forwarded-For` (the request's `clientIp`), `X-Forwarded-Host`, `User-Agent`. Lower-case names.
   */
  headers(req: GatewayRequest, withBody: boolean): Record<string, string>
  /** Appends the allowed client query parameters to a backend path (`hasQuery`: it has a `?` already). */
  query(req: GatewayRequest, path: string, hasQuery: boolean): string
}

export const USER_AGENT = `rxgate/${VERSION}`

/**
 * Never copied from the client as they are, even with `'*'`: hop-by-hop headers (RFC 9110 §7.6.1),
 * headers the transport owns (`host`, `content-length`, `accept-encoding`: the body is decoded
 * here, so compression is negotiated here), the `x-forwarded-*` chain (computed), and
 * `content-type` / `user-agent`, which have rules of their own below. Pseudo-headers (`:path`) too.
 */
const NEVER = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'http2-settings',
  'host',
  'content-length',
  'content-type',
  'accept-encoding',
  'user-agent',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-via',
])

/** What the gateway asks for: it decodes these itself (see lib/backend/body.ts). */
export const ACCEPT_ENCODING = 'gzip, deflate, br'

/**
 * `passEncoding` (the `no-op` encoding): the body goes to the client untouched, so the backend is
 * asked for what the client accepts (its own `accept-encoding`, or none: identity), not for what
 * the gateway could decode.
 */
export function compileForwarding(
  headers: AllowList,
  query: AllowList,
  templateKeys: ReadonlySet<string>,
  passEncoding = false,
): Forwarding {
  const allHeaders = headers === '*'
  const headerNames = allHeaders ? [] : [...new Set(headers.map((name) => name.toLowerCase()))].filter((name) => !NEVER.has(name))
  const clientAgent = allHeaders || headers.some((name) => name.toLowerCase() === 'user-agent')
  const allQuery = query === '*'
  const queryKeys = allQuery ? [] : [...new Set(query)].filter((key) => !templateKeys.has(key))

  return {
    headers(req, withBody) {
      const out: Record<string, string> = {}
      const client = req.headers
      if (allHeaders) {
        const connection = headerValue(client.connection)
        const named = connection ? new Set(connection.toLowerCase().split(',').map((token) => token.trim())) : undefined
        for (const name in client) {
          if (NEVER.has(name) || name.startsWith(':') || named?.has(name)) continue
          const value = headerValue(client[name])
          if (value !== undefined) out[name] = value
        }
      } else {
        for (const name of headerNames) {
          const value = headerValue(client[name])
          if (value !== undefined) out[name] = value
        }
      }
      if (withBody) {
        const type = headerValue(client['content-type'])
        if (type !== undefined) out['content-type'] = type
      }
      const agent = clientAgent ? headerValue(client['user-agent']) : undefined
      if (agent === undefined) out['user-agent'] = USER_AGENT
      else {
        out['user-agent'] = agent
        out['x-forwarded-via'] = USER_AGENT
      }
      // The client's IP alone, as KrakenD sends it: the router has read the proxies' chain already.
      if (req.clientIp) out['x-forwarded-for'] = req.clientIp
      const host = headerValue(client.host) ?? headerValue(client[':authority'])
      if (host) out['x-forwarded-host'] = host
      const added = req.context.backendHeaders
      if (added) for (const name in added) out[name] = added[name]!
      if (!passEncoding) out['accept-encoding'] = ACCEPT_ENCODING
      else {
        const accepted = headerValue(client['accept-encoding'])
        if (accepted !== undefined) out['accept-encoding'] = accepted
      }
      return out
    },

    query(req, path, hasQuery) {
      let extra = ''
      if (allQuery) {
        for (const [key, value] of req.query) {
          if (!templateKeys.has(key)) extra += `&${encodeURIComponent(key)}=${encodeURIComponent(value)}`
        }
      } else {
        for (const key of queryKeys) {
          for (const value of req.query.getAll(key)) extra += `&${encodeURIComponent(key)}=${encodeURIComponent(value)}`
        }
      }
      if (extra === '') return path
      return path + (hasQuery ? extra : `?${extra.slice(1)}`)
    },
  }
}

/** Node gives repeated headers as arrays; one line each, comma-joined, as RFC 9110 §5.3 allows. */
function headerValue(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined
  return typeof value === 'string' ? value : value.join(', ')
}
