import createRouter, { type HTTPMethod } from 'find-my-way'
import { ErrorCodes, RxgateError } from '../errors.js'

/** What a lookup found: the route and its params, or why there is none. */
export type Lookup<R> =
  | { readonly kind: 'found'; readonly route: R; readonly params: Readonly<Record<string, string>> }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'method-not-allowed'; readonly allowed: readonly string[] }

const PLACEHOLDER = /\{([^{}/]+)\}/g
/** Names find-my-way reads whole; others (`user-id`: it would stop at the `-`) go by an alias. */
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

interface Stored<R> {
  readonly route: R
  /** The path as declared (`/Users/{id}`), to write a fixed path from. */
  readonly path: string
  /** Alias → name, for the params find-my-way cannot name as the route does. */
  readonly aliases?: ReadonlyMap<string, string>
}

/**
 * The route table. Paths use KrakenD's `{param}` placeholders and may end in `*`; a static segment
 * and a `{param}` may share a level (`/users/me` beside `/users/{id}`). Backed by find-my-way, so a
 * lookup costs the same however many routes there are.
 */
export class Routes<R> {
  private readonly router = createRouter({ ignoreTrailingSlash: false, maxParamLength: 500 })
  /** The same routes matched regardless of letter case, only to fix a client's path (see `fixedPath`). */
  private readonly anyCase = createRouter({ ignoreTrailingSlash: false, maxParamLength: 500, caseSensitive: false })
  private readonly methods = new Set<HTTPMethod>()

  add(method: string, path: string, route: R): void {
    if (!path.startsWith('/')) throw badRoute(path, 'a path must start with "/"')
    const verb = method.toUpperCase() as HTTPMethod
    const aliases = new Map<string, string>()
    const pattern = path.replace(PLACEHOLDER, (_, name: string) => {
      if (PLAIN_NAME.test(name)) return `:${name}`
      const alias = `p${aliases.size}_`
      aliases.set(alias, name)
      return `:${alias}`
    })
    const stored: Stored<R> = aliases.size > 0 ? { route, path, aliases } : { route, path }
    try {
      this.router.on(verb, pattern, () => undefined, stored)
    } catch (error) {
      throw badRoute(path, (error as Error).message)
    }
    // Two routes that differ only in case are both kept above; here the first one fixes paths.
    if (!this.anyCase.hasRoute(verb, pattern)) this.anyCase.on(verb, pattern, () => undefined, stored)
    this.methods.add(verb)
  }

  find(method: string, path: string): Lookup<R> {
    const match = this.match(method, path)
    if (match) {
      const { route, aliases } = match.store as Stored<R>
      const params = match.params as Record<string, string>
      return { kind: 'found', route, params: aliases ? named(params, aliases) : params }
    }
    const allowed = [...this.methods].filter((other) => other !== method && this.match(other, path))
    return allowed.length > 0 ? { kind: 'method-not-allowed', allowed } : { kind: 'not-found' }
  }

  /**
   * The path of a route that `path` matches but for letter case, written with the route's own
   * case and the client's parameter values (`/StAtic/Ada` → `/static/Ada`); undefined when there
   * is none. What KrakenD's router redirects to (`RedirectFixedPath`).
   */
  fixedPath(method: string, path: string): string | undefined {
    const match = this.anyCase.find(method as HTTPMethod, path)
    if (!match || hasEmptyParam(match.params)) return undefined
    const declared = (match.store as Stored<R>).path.split('/')
    const given = path.split('/')
    const fixed = declared.map((segment, i) => {
      if (segment === '*' && i === declared.length - 1) return given.slice(i).join('/')
      return segment.includes('{') ? given[i] : segment
    })
    const out = fixed.join('/')
    return out === path ? undefined : out
  }

  private match(method: string, path: string) {
    const match = this.router.find(method as HTTPMethod, path)
    return match && !hasEmptyParam(match.params) ? match : null
  }
}

function named(params: Record<string, string>, aliases: ReadonlyMap<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(params)) out[aliases.get(key) ?? key] = value
  return out
}

/** `/users/` does not fill `/users/{id}` (as in KrakenD's router); a wildcard may match nothing. */
function hasEmptyParam(params: Record<string, string | undefined>): boolean {
  for (const name in params) if (params[name] === '' && name !== '*') return true
  return false
}

function badRoute(path: string, why: string) {
  return new RxgateError(ErrorCodes.BAD_ROUTE, `cannot route ${JSON.stringify(path)}: ${why}`, { path })
}
