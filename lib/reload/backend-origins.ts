import type { GatewayConfig } from '../config/types.js'

/**
 * The backend origins a configuration names (`http://users:8080`), shadow backends included:
 * the connection pools a reload keeps warm. Hosts found by DNS SRV (`sd: "dns"`) are not known
 * before they are resolved, and so are not among them.
 *
 * @example
 * backendOrigins(config)   // Set { 'http://users:8080', 'https://carts.internal' }
 */
export function backendOrigins(config: GatewayConfig): Set<string> {
  const origins = new Set<string>()
  for (const endpoint of config.endpoints) {
    for (const backend of endpoint.backend) {
      if (backend.sd === 'dns') continue
      for (const host of backend.host) {
        try {
          origins.add(new URL(host).origin)
        } catch {
          // a host the backend itself refuses: it has no pool to keep
        }
      }
    }
  }
  return origins
}
