/**
 * A backend host as KrakenD cleans it unless `disable_host_sanitize` is set: a scheme added when
 * missing (`users:8080` → `http://users:8080`) and trailing slashes removed, so that host and
 * `url_pattern` join into one well-formed URL.
 */
export function sanitizeHost(host: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(host) ? host : `http://${host}`
  return withScheme.replace(/\/+$/, '')
}
