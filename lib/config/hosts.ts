/**
 * Host sanitizing as KrakenD does it (Lura's `CleanHost`): a host is a scheme, a name and a port,
 * nothing else; `http://` is added when the scheme is missing and a trailing `/` is dropped. KrakenD
 * refuses to start on anything else unless the backend sets `disable_host_sanitize`. rxgate also
 * takes bracketed IPv6 addresses (`http://[::1]:8080`) and one-digit ports, which KrakenD's pattern misses.
 */
const HOST = /^(https?:\/\/)?([A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?\/?$/i

/** `users:8080` → `http://users:8080`; `undefined` when the host cannot be sanitized. */
export function sanitizeHost(host: string): string | undefined {
  const match = HOST.exec(host)
  if (!match) return undefined
  return `${(match[1] ?? 'http://').toLowerCase()}${match[2]}${match[3] ?? ''}`
}
