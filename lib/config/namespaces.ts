/**
 * The `extra_config` namespaces rxgate implements, per scope, and the legacy names KrakenD still
 * accepts for them. Files written for KrakenD 1.x use the long names (Go import paths, with `.`
 * written `_` where viper would split the key); KrakenD CE maps them in `cmd/krakend-ce/main.go`.
 */

import { middlewareNamespaces } from '../middleware/registry.js'

/** Where an `extra_config` sits. */
export type Scope = 'service' | 'endpoint' | 'backend'

/**
 * The short names rxgate implements in each scope. Anything else is ignored: with a warning, or
 * as a problem for the families that protect or shape traffic (see `unenforced.ts`).
 */
export const NAMESPACES: Readonly<Record<Scope, readonly string[]>> = {
  // `rxgate`: rxgate's own settings, kept under extra_config so that KrakenD still reads the file
  // `redis`: the connection pools that shared rate limits and caches name (KrakenD Enterprise's shape)
  // `telemetry/logging`: KrakenD's log levels, formats, prefix, stdout and syslog (lib/logging)
  // `telemetry/opentelemetry`: metrics and traces; `telemetry/metrics`: KrakenD's older /__stats
  service: ['router', 'rxgate', 'redis', 'telemetry/logging', 'telemetry/opentelemetry', 'telemetry/metrics', ...middlewareNamespaces('server')],
  endpoint: ['proxy', 'telemetry/opentelemetry', ...middlewareNamespaces('endpoint')],
  backend: ['proxy', 'backend/http', 'telemetry/opentelemetry', ...middlewareNamespaces('backend')],
}

/** The namespaces that are read as they are and given to their middleware's factory (see lib/middleware). */
export function isMiddlewareNamespace(scope: Scope, namespace: string): boolean {
  return middlewareNamespaces(scope === 'service' ? 'server' : scope).includes(namespace)
}

/**
 * Legacy name → short name. The `github.com` and `github_com` spellings of each are both here:
 * KrakenD's own files used both over the years.
 */
export const ALIASES: Readonly<Record<string, string>> = {
  // Lura's proxy package (static, sequential, flatmap_filter, shadow)
  'github.com/devopsfaith/krakend/proxy': 'proxy',
  'github_com/devopsfaith/krakend/proxy': 'proxy',
  // Lura's gin router, after the rename to luraproject/lura (KrakenD 1.3+)
  'github_com/luraproject/lura/router/gin': 'router',
  'github.com/luraproject/lura/router/gin': 'router',
  // the same package before the rename (KrakenD 1.0 to 1.2)
  'github_com/devopsfaith/krakend/router/gin': 'router',
  'github.com/devopsfaith/krakend/router/gin': 'router',
  // Lura's HTTP client status handling (return_error_details, return_error_code)
  'github.com/devopsfaith/krakend/http': 'backend/http',
  'github_com/devopsfaith/krakend/http': 'backend/http',
  // krakend-gologging, KrakenD's logging component, under its KrakenD 1.x name
  'github.com/devopsfaith/krakend-gologging': 'telemetry/logging',
  'github_com/devopsfaith/krakend-gologging': 'telemetry/logging',
  // krakend-metrics (the /__stats endpoint) under its KrakenD 1.x name
  'github.com/devopsfaith/krakend-metrics': 'telemetry/metrics',
  'github_com/devopsfaith/krakend-metrics': 'telemetry/metrics',
  // the name of the Redis-backed service rate limit's schema file in KrakenD's schema, which files use too
  'qos/ratelimit/redis': 'qos/ratelimit/service/redis',
  // KrakenD 1.x components rxgate does not implement, named so that their old names fail closed
  // as their new ones do (KrakenD's krakend-config-migrator renames them the same way)
  ...bothSpellings({
    'github.com/devopsfaith/krakend-jose/validator': 'auth/validator',
    'github.com/devopsfaith/krakend-jose/signer': 'auth/signer',
    'github.com/devopsfaith/krakend-oauth2-clientcredentials': 'auth/client-credentials',
    'github.com/devopsfaith/bloomfilter': 'auth/revoker',
    'github.com/devopsfaith/krakend-apikeys': 'auth/api-keys',
    'github.com/devopsfaith/krakend-cors': 'security/cors',
    'github.com/devopsfaith/krakend-httpsecure': 'security/http',
    'github.com/devopsfaith/krakend-botdetector': 'security/bot-detector',
    'github.com/devopsfaith/krakend-ratelimit/juju/router': 'qos/ratelimit/router',
    'github.com/devopsfaith/krakend-ratelimit/juju/proxy': 'qos/ratelimit/proxy',
    'github.com/devopsfaith/krakend-circuitbreaker/gobreaker': 'qos/circuit-breaker',
    'github.com/devopsfaith/krakend-httpcache': 'qos/http-cache',
    'github.com/devopsfaith/krakend-jsonschema': 'validation/json-schema',
    'github.com/devopsfaith/krakend-cel': 'validation/cel',
    'github.com/devopsfaith/krakend/transport/http/server/handler': 'plugin/http-server',
    'github.com/devopsfaith/krakend/transport/http/client/executor': 'plugin/http-client',
    // Lura's modifier plugins (its proxy/plugin package)
    'github.com/devopsfaith/krakend/proxy/plugin': 'plugin/req-resp-modifier',
    'github.com/devopsfaith/krakend/proxy/plugin/request': 'plugin/request-modifier',
    'github.com/devopsfaith/krakend/proxy/plugin/response': 'plugin/response-modifier',
  }),
}

function bothSpellings(names: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(names).flatMap(([legacy, short]) => [
      [legacy, short],
      [legacy.replace(/^github\.com\//, 'github_com/'), short],
    ]),
  )
}

/** The short name of a namespace (itself when it has no alias). */
export function shortName(namespace: string): string {
  return ALIASES[namespace] ?? namespace
}

/** One scope's `extra_config`, sorted out. */
export interface ScopedExtraConfig {
  /** The namespaces rxgate implements here, by short name, with the key the file used. */
  readonly known: ReadonlyMap<string, { readonly key: string; readonly value: unknown }>
  /** The namespaces ignored here, as the file wrote them. */
  readonly ignored: readonly string[]
  /** Namespaces written twice under different names (`proxy` and its legacy name): short name → keys. */
  readonly duplicates: ReadonlyMap<string, readonly string[]>
}

/** Sorts an `extra_config` value into known, ignored and duplicated namespaces. Anything not an object has none. */
export function readExtraConfig(extra: unknown, scope: Scope): ScopedExtraConfig {
  const known = new Map<string, { key: string; value: unknown }>()
  const ignored: string[] = []
  const keys = new Map<string, string[]>()
  if (isObject(extra)) {
    for (const [key, value] of Object.entries(extra)) {
      // `@comment` and friends: KrakenD's convention for annotations, not namespaces
      if (/^[@$#]/.test(key)) continue
      const short = shortName(key)
      if (!NAMESPACES[scope].includes(short)) {
        ignored.push(key)
        continue
      }
      keys.set(short, [...(keys.get(short) ?? []), key])
      // the short name wins over a legacy one, whatever the order in the file
      if (!known.has(short) || key === short) known.set(short, { key, value })
    }
  }
  const duplicates = new Map([...keys].filter(([, names]) => names.length > 1))
  return { known, ignored, duplicates }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
