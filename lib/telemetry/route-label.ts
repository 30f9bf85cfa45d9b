const PLACEHOLDER = /\{([^{}]*)\}/g

/**
 * A path template as KrakenD's telemetry names it: `{id}` becomes `:id`, as Lura's router writes
 * an endpoint's path; a backend's `url_pattern` parameters are lower-cased, as krakend-otel's
 * `NormalizeURLPattern` gives them.
 *
 * @example
 * routeLabel('/users/{id}')                     // '/users/:id'
 * routeLabel('/users/{Id}/cart', { lower: true }) // '/users/:id/cart'
 */
export function routeLabel(template: string, options: { readonly lower?: boolean } = {}): string {
  return template.replace(PLACEHOLDER, (_, name: string) => `:${options.lower ? name.toLowerCase() : name}`)
}
