import createRouter, { type HTTPMethod } from 'find-my-way'
import { ErrorCodes, RxgateError } from '../errors.js'

/** What a lookup found: the route and its params, or why there is none. */
export type Lookup<R> =
  | { readonly kind: 'found'; readonly route: R; readonly params: Readonly<Record<string, string>> }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'method-not-allowed'; readonly allowed: readonly string[] }

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g

/**
 * The route table. Paths use KrakenD's `{param}` placeholders and may end in `*`; a static segment
 * and a `{param}` may share a level (`/users/me` beside `/users/{id}`). Backed by find-my-way, so a
 * lookup costs the same however many routes there are.
 */
export class Routes<R> {
  private readonly router = createRouter({ ignoreTrailingSlash: false, maxParamLength: 500 })
  private readonly methods = new Set<HTTPMethod>()

  add(method: string, path: string, route: R): void {
    if (!path.startsWith('/')) throw badRoute(path, 'a path must start with "/"')
    const verb = method.toUpperCase() as HTTPMethod
    try {
      this.router.on(verb, path.replace(PLACEHOLDER, ':$1'), () => undefined, route)
    } catch (error) {
      throw badRoute(path, (error as Error).message)
    }
    this.methods.add(verb)
  }

  find(method: string, path: string): Lookup<R> {
    const match = this.match(method, path)
    if (match) return { kind: 'found', route: match.store as R, params: match.params as Record<string, string> }
    const allowed = [...this.methods].filter((other) => other !== method && this.match(other, path))
    return allowed.length > 0 ? { kind: 'method-not-allowed', allowed } : { kind: 'not-found' }
  }

  private match(method: string, path: string) {
    const match = this.router.find(method as HTTPMethod, path)
    return match && !hasEmptyParam(match.params) ? match : null
  }
}

/** `/users/` does not fill `/users/{id}` (as in KrakenD's router); a wildcard may match nothing. */
function hasEmptyParam(params: Record<string, string | undefined>): boolean {
  for (const name in params) if (params[name] === '' && name !== '*') return true
  return false
}

function badRoute(path: string, why: string) {
  return new RxgateError(ErrorCodes.BAD_ROUTE, `cannot route ${JSON.stringify(path)}: ${why}`, { path })
}
