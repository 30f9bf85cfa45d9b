import { ErrorCodes, RxgateError } from '../errors.js'

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
   * The path and query for one request's parameters. Every value is percent-encoded as a whole
   * (`encodeURIComponent`, and `.` / `..` as `%2E` / `%2E%2E` in the path), so a parameter can never
   * add a path segment, climb with `../`, or start a query or fragment. A placeholder the request
   * lacks throws `MISSING_PARAM`.
   */
  path(params: Readonly<Record<string, string>>): string
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
  let from = 0
  for (const found of rest.matchAll(PLACEHOLDER)) {
    const name = found[1]!
    if (!NAME.test(name)) throw bad(`has a placeholder {${name}} that is not a name`)
    literals.push(rest.slice(from, found.index))
    names.push(name)
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

  const path = (params: Readonly<Record<string, string>>) => {
    let out = literals[0]!
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!
      const value = Object.hasOwn(params, name) ? params[name] : undefined
      if (value === undefined) throw missing(template, name)
      out += (inPath[i] ? encodeSegment(value) : encodeURIComponent(value)) + literals[i + 1]!
    }
    return out
  }
  return { origin, pattern, hasQuery: queryAt >= 0, queryKeys, path }
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

function missing(template: string, param: string): RxgateError {
  return new RxgateError(
    ErrorCodes.MISSING_PARAM,
    `the backend URL ${template} needs the parameter "${param}", which the request does not have: ` +
      `name it in the endpoint's path ({${param}}) or remove it from the backend URL`,
    { param, url: template },
  )
}
