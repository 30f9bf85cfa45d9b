import type { Headers } from '../request.js'

/** Where a request's token is looked for. */
export interface TokenPlaces {
  /** The header holding `Bearer <token>` (KrakenD's `auth_header_name`). Default `Authorization`. */
  readonly header?: string
  /** The cookie holding the token when the header has none (KrakenD's `cookie_key`). Default `access_token`. */
  readonly cookie?: string
}

/** What a request brought: a token, or none. */
export type FoundToken = { readonly token: string } | undefined

/**
 * A function from a request's headers to its bearer token, as krakend-jose looks for one: the
 * header first (`Bearer ` in any letter case, then the token), else the cookie. A header that
 * holds another scheme (`Basic ...`) counts as no token there, and the cookie is tried.
 *
 * @example
 * const find = bearerToken({ cookie: 'session' })
 * find({ authorization: 'Bearer eyJ...' }) // { token: 'eyJ...' }
 * find({ cookie: 'theme=dark; session=eyJ...' }) // { token: 'eyJ...' }
 */
export function bearerToken(places: TokenPlaces = {}): (headers: Headers) => FoundToken {
  const header = (places.header || 'Authorization').toLowerCase()
  const cookie = places.cookie || 'access_token'
  return (headers) => {
    const raw = first(headers[header])
    // `Bearer ` and at least one character, as Go's extractor (`len > 7`)
    if (raw !== undefined && raw.length > 7 && raw.slice(0, 7).toLowerCase() === 'bearer ') return { token: raw.slice(7) }
    const value = cookieValue(headers.cookie, cookie)
    return value === undefined || value === '' ? undefined : { token: value }
  }
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

/** The first cookie of that name (Go's `Request.Cookie`), its surrounding quotes removed. */
function cookieValue(header: string | string[] | undefined, name: string): string | undefined {
  if (header === undefined) return undefined
  for (const line of Array.isArray(header) ? header : [header]) {
    for (const pair of line.split(';')) {
      const at = pair.indexOf('=')
      if (at < 0 || pair.slice(0, at).trim() !== name) continue
      const value = pair.slice(at + 1).trim()
      return value.length > 1 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value
    }
  }
  return undefined
}
