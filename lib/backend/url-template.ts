import { ErrorCodes, RxgateError } from '../errors.js'
import { claimReader, claimText, type ClaimReader, type Claims } from '../middleware/jwt-claims.js'

/** A backend URL template, compiled once: `http://api/users/{id}` or `http://api/search?q={term}`. */
export interface UrlTemplate {
  /** The fixed origin (`http://api:8080`); placeholders may not touch it. */
  readonly origin: string
  /** The template past its origin, as written: `/users/{id}` (KrakenD's `url_pattern`). */
  readonly pattern: string
  /** Whether the template writes a query string of its own. */
  readonly hasQuery: boolean
  /** The query keys the template writes, which forwarded client keys may not override. */
  readonly queryKeys: ReadonlySet<string>
  /**
   * The path and query for one request's parameters, and its validated token's claims for
   * `{JWT.claim}` placeholders (`{JWT.a.b}`: `b` inside `a`). Every value is percent-encoded as a
   * whole (`encodeURIComponent`, and `.` / `..` as `%2E` / `%2E%2E` in the path), so a parameter
   * can never add a path segment, climb with `../`, or start a query or fragment; a claim is
   * written as KrakenD writes it (a list as its items joined by commas). A placeholder the request
   * lacks throws `MISSING_PARAM`.
   */
  path(params: Readonly<Record<string, string>>, claims?: Claims): string
}

const ORIGIN = /^(https?:\/\/[^/?#{}]+)(.*)$/i
const PLACEHOLDER = /\{([^{}]*)\}/g
const NAME = /^[A-Za-z_][\w.-]*$/

export function compileUrlTemplate(template: string): UrlTemplate {
  const bad = (what: string) =>
    new RxgateError(ErrorCodes.BAD_BACKEND, `backend URL ${JSON.stringify(template)} ${what}`, { url: template })
  const match = ORIGIN.exec(template)
  if (!match) throw bad('must start with http:// or https:// and a host without placeholders')
  let origin: string
  try {
    origin = new URL(match[1]!).origin
  } catch {
    throw bad('has a host that is not valid')
  }
  let rest = match[2]!
  const pattern = rest
  if (rest.includes('#')) throw bad('has a fragment (#...), which is never sent to a server')
  if (rest === '' || rest.startsWith('?')) rest = `/${rest}`
  if (!rest.startsWith('/')) throw bad('must have a path starting with /')

  const literals: string[] = []
  const names: string[] = []
  const inPath: boolean[] = []
  const claimsRead: (JwtPlaceholder | undefined)[] = []
  let from = 0
  for (const found of rest.matchAll(PLACEHOLDER)) {
    const name = found[1]!
    if (!NAME.test(name)) throw bad(`has a placeholder {${name}} that is not a name`)
    literals.push(rest.slice(from, found.index))
    names.push(name)
    claimsRead.push(name.startsWith(JWT_PREFIX) ? jwtPlaceholder(name.slice(JWT_PREFIX.length)) : undefined)
    inPath.push(!rest.slice(0, found.index).includes('?'))
    from = found.index + found[0].length
  }
  literals.push(rest.slice(from))
  if (literals.some((literal) => literal.includes('{') || literal.includes('}'))) {
    throw bad('has an unbalanced { or }')
  }

  const queryAt = rest.indexOf('?')
  const queryKeys = new Set<string>()
  if (queryAt >= 0) {
    for (const pair of rest.slice(queryAt + 1).split('&')) {
      const key = pair.split('=', 1)[0]!
      if (key !== '' && !key.includes('{')) queryKeys.add(safeDecode(key))
    }
  }

  const path = (params: Readonly<Record<string, string>>, claims?: Claims) => {
    let out = literals[0]!
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!
      const jwt = claimsRead[i]
      const value = jwt === undefined ? (Object.hasOwn(params, name) ? params[name] : undefined) : jwt.text(claims)
      if (value === undefined) throw jwt === undefined ? missing(template, name) : missingClaim(template, jwt.claim)
      out += (inPath[i] ? encodeSegment(value) : encodeURIComponent(value)) + literals[i + 1]!
    }
    return out
  }
  return { origin, pattern, hasQuery: queryAt >= 0, queryKeys, path }
}

const JWT_PREFIX = 'JWT.'

/** A `{JWT.claim}` placeholder: its claim, and how to read it as text. */
interface JwtPlaceholder {
  readonly claim: string
  text(claims: Claims | undefined): string | undefined
}

/** A claim by its name as written (`{JWT.http://...}` cannot be a placeholder, but `a.b` may be a key), else by its dotted path. */
function jwtPlaceholder(claim: string): JwtPlaceholder {
  const whole: ClaimReader = claimReader(claim, false)
  const nested: ClaimReader = claimReader(claim, true)
  return {
    claim,
    text: (claims) => (claims === undefined ? undefined : claimText(whole(claims) ?? nested(claims))),
  }
}

/** A whole value as one path segment: `.` and `..` are encoded too, or a server would resolve them. */
function encodeSegment(value: string): string {
  if (value === '.') return '%2E'
  if (value === '..') return '%2E%2E'
  return encodeURIComponent(value)
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '))
  } catch {
    return text
  }
}

function missingClaim(template: string, claim: string): RxgateError {
  return new RxgateError(
    ErrorCodes.MISSING_PARAM,
    `the backend URL ${template} needs the claim "${claim}" of the request's token, which it does not have: ` +
      "only an endpoint with auth/validator has claims, and only the ones its tokens carry",
    { claim, url: template },
  )
}

function missing(template: string, param: string): RxgateError {
  return new RxgateError(
    ErrorCodes.MISSING_PARAM,
    `the backend URL ${template} needs the parameter "${param}", which the request does not have: ` +
      `name it in the endpoint's path ({${param}}) or remove it from the backend URL`,
    { param, url: template },
  )
}
