import type { BackendConfig } from '../config/types.js'

/**
 * The names an endpoint's backends go by in its fan-out, and so in logs and error details: their
 * `url_pattern` (`/users/{id}`), made unique with their position when two share one.
 */
export function sourceNames(backends: readonly BackendConfig[]): string[] {
  const seen = new Map<string, number>()
  for (const { url_pattern } of backends) seen.set(url_pattern, (seen.get(url_pattern) ?? 0) + 1)
  return backends.map(({ url_pattern }, index) => (seen.get(url_pattern)! > 1 ? `${index}:${url_pattern}` : url_pattern))
}
