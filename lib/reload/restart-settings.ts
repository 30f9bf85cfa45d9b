import type { GatewayConfig } from '../config/types.js'

/**
 * The service settings a running gateway cannot change without a restart, by the normalized
 * configuration's key, with the name a user knows them by: the listener's (`port`,
 * `listen_ip`, `max_header_bytes`, `tls`, `use_h2c`), and what is made once per process (the
 * logger, the telemetry and its exporters' ports).
 */
const RESTART_ONLY: readonly (readonly [key: string, name: string])[] = [
  ['port', 'port'],
  ['listen_ip', 'listen_ip'],
  ['max_header_bytes', 'max_header_bytes'],
  ['tls', 'tls'],
  ['use_h2c', 'use_h2c'],
  ['logging', 'telemetry/logging'],
  ['telemetry', 'telemetry/opentelemetry'],
  ['stats', 'telemetry/metrics'],
]

/**
 * The settings of `next` that differ from `running`'s and that only a restart would apply: a
 * reload keeps the running ones and says so. `port` is left out when `-p` chose the port.
 *
 * @example
 * settingsNeedingRestart(running, next, { portFromCommandLine: false })   // ['port', 'telemetry/opentelemetry']
 */
export function settingsNeedingRestart(running: GatewayConfig, next: GatewayConfig, options: { readonly portFromCommandLine: boolean }): string[] {
  const before = running as unknown as Record<string, unknown>
  const after = next as unknown as Record<string, unknown>
  const changed = RESTART_ONLY.filter(([key]) => JSON.stringify(before[key]) !== JSON.stringify(after[key])).map(([key, name]) => ({ key, name }))
  // the service's name is the telemetry's service name
  if (before.name !== after.name && (after.telemetry !== undefined || before.telemetry !== undefined)) changed.push({ key: 'name', name: 'name' })
  return changed.filter(({ key }) => !(key === 'port' && options.portFromCommandLine)).map(({ name }) => name)
}

/**
 * `next` with `running`'s restart-only settings: the configuration a reloaded gateway really
 * serves, for the next reload to compare with.
 *
 * @example
 * withRunningSettings(next, running).port === running.port   // true
 */
export function withRunningSettings(next: GatewayConfig, running: GatewayConfig): GatewayConfig {
  const out = { ...next } as Record<string, unknown>
  const before = running as unknown as Record<string, unknown>
  for (const [key] of RESTART_ONLY) out[key] = before[key]
  out.name = before.name
  return out as unknown as GatewayConfig
}
