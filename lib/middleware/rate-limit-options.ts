import { toMilliseconds, type Duration } from '../../operators/duration.js'
import { ErrorCodes, RxgateError } from '../errors.js'
import type { TokenBucketOptions } from './token-bucket.js'

/** What tells one client from another for `client_max_rate`. */
export type ClientStrategy = 'ip' | 'header' | 'param'

/**
 * KrakenD's `qos/ratelimit/router` block, as the file writes it; `qos/ratelimit/service` takes the
 * same keys. At least one of `max_rate` and `client_max_rate`.
 */
export interface RateLimitOptions {
  /** Requests per `every` of all clients together; past it, 503. Above 0, fractions allowed. */
  readonly max_rate?: number
  /** Requests all clients together may send at once. Default `max_rate` per second, at least 1. */
  readonly capacity?: number
  /** The window of both rates. Default `1s`; under 1s reads as 1s, as KrakenD reads it. */
  readonly every?: Duration
  /** Requests per `every` of each client; past it, 429 for that client. */
  readonly client_max_rate?: number
  /** Requests one client may send at once. Default `client_max_rate` per second, at least 1. */
  readonly client_capacity?: number
  /** How a client is told: `ip` (the router's client IP), `header` (the header `key`), `param` (the route parameter `key`). */
  readonly strategy?: ClientStrategy
  /** The header or route parameter of `header` and `param`. */
  readonly key?: string
  /** Accepted: one event loop has no lock to shard. */
  readonly num_shards?: number
  /** How often clients left alone are forgotten. Default `1m`; never before their bucket is full again. */
  readonly cleanup_period?: Duration
  /** Accepted: forgetting clients costs nothing to spread over threads. */
  readonly cleanup_threads?: number
}

/** The backend's `qos/ratelimit/proxy` block. */
export interface BackendRateLimitOptions {
  /** Calls per `every` to this backend; past it, a call fails without being made. Above 0, fractions allowed. */
  readonly max_rate: number
  /** Calls that may start at once. Default `max_rate` per second, at least 1. */
  readonly capacity?: number
  /** The window of `max_rate`. Default `1s`. */
  readonly every?: Duration
}

/** Where a rate limit is written: the router's and the service's read `every` as KrakenD's router does. */
export type LimitPlace = 'endpoint' | 'service' | 'backend'

/** A block read once: the bucket of all clients together, the bucket of each client and how to tell clients apart. */
export interface Limits {
  readonly total?: TokenBucketOptions
  readonly client?: TokenBucketOptions & { readonly strategy: ClientStrategy; readonly key: string }
  /** Milliseconds (`cleanup_period`). */
  readonly cleanupPeriod?: number
}

/** One thing a block says that cannot work, or that works otherwise than it reads: a JSON pointer inside the block. */
export interface LimitFinding {
  readonly path: string
  readonly message: string
  readonly warning?: boolean
}

/** KrakenD's router reads a window under a second as one second (`krakend-ratelimit`'s ConfigGetter). */
const SHORTEST_ROUTER_WINDOW = 1000

/**
 * A rate limit block made into its limits, once, at start-up. A block that cannot work throws
 * `RXGATE_ERR_BAD_ARGUMENT` naming the key (`rxgate check` names the same with its JSON path).
 *
 * @example
 * readLimits({ max_rate: 50, every: '10m', client_max_rate: 5, strategy: 'ip' }, 'endpoint', 'qos/ratelimit/router')
 * // { total: { max_rate: 50, every: 600000 }, client: { max_rate: 5, every: 600000, strategy: 'ip', key: '' } }
 */
export function readLimits(options: RateLimitOptions, place: LimitPlace, namespace: string): Limits {
  const problem = [...valueProblems(options), ...rateLimitProblems(options, place)].find((finding) => !finding.warning)
  if (problem) throw new RxgateError(ErrorCodes.BAD_ARGUMENT, `${namespace}: ${problem.path.slice(1) || 'the block'} ${problem.message}`)
  const written = toMilliseconds(options.every ?? '1s')
  const every = place === 'backend' ? written : Math.max(SHORTEST_ROUTER_WINDOW, written)
  const total = options.max_rate === undefined ? undefined : { max_rate: options.max_rate, every, ...optional('capacity', options.capacity) }
  const client =
    options.client_max_rate === undefined
      ? undefined
      : {
          max_rate: options.client_max_rate,
          every,
          ...optional('capacity', options.client_capacity),
          strategy: options.strategy!,
          key: options.key ?? '',
        }
  const cleanupPeriod = options.cleanup_period === undefined ? undefined : toMilliseconds(options.cleanup_period)
  return { ...optional('total', total), ...optional('client', client), ...optional('cleanupPeriod', cleanupPeriod) }
}

/**
 * What is wrong with a rate limit block that its JSON Schema cannot say, each with its JSON
 * pointer inside the block: a block that limits nothing, a client limit with no way to tell
 * clients apart, a window of 0. Warnings for what works otherwise than it reads. (Values out of
 * range, a rate of 0 or a capacity of 0, are the schema's to report, and `readLimits`'s in code.)
 */
export function rateLimitProblems(options: RateLimitOptions, place: LimitPlace): LimitFinding[] {
  const findings: LimitFinding[] = []
  const problem = (path: string, message: string) => findings.push({ path, message })
  const warning = (path: string, message: string) => findings.push({ path, message, warning: true })
  if (place === 'backend') {
    if (options.max_rate === undefined) problem('/max_rate', 'is required: the calls per every this backend may get')
  } else {
    if (options.max_rate === undefined && options.client_max_rate === undefined) {
      problem('', 'sets no limit: give max_rate (all clients together), client_max_rate (each client), or both')
    }
    strategyProblems(options, place, problem, warning)
  }
  const every = milliseconds(options.every)
  if (every === 0) problem('/every', 'must be a duration above 0')
  else if (every !== undefined && every < SHORTEST_ROUTER_WINDOW && place !== 'backend') {
    warning('/every', `is under 1s, which KrakenD's router reads as 1s: the rates count per second`)
  }
  if (milliseconds(options.cleanup_period) === 0) problem('/cleanup_period', 'must be a duration above 0')
  return findings
}

/** Rates above 0 and capacities of at least 1: what the JSON Schema checks in a file, checked again for blocks written in code. */
function valueProblems(options: RateLimitOptions): LimitFinding[] {
  const findings: LimitFinding[] = []
  for (const name of ['max_rate', 'client_max_rate'] as const) {
    const value = options[name]
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)) {
      findings.push({ path: `/${name}`, message: `${RATE_RULE} (got ${JSON.stringify(value)})` })
    }
  }
  for (const name of ['capacity', 'client_capacity'] as const) {
    const value = options[name]
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) findings.push({ path: `/${name}`, message: `${CAPACITY_RULE} (got ${JSON.stringify(value)})` })
  }
  return findings
}

/** The rule of a rate, as the JSON Schema words it too. */
export const RATE_RULE = 'must be a number above 0 (KrakenD reads 0 as no limit: leave the key out for that)'
/** The rule of a capacity, as the JSON Schema words it too. */
export const CAPACITY_RULE = 'must be a whole number of at least 1'

function strategyProblems(
  options: RateLimitOptions,
  place: LimitPlace,
  problem: (path: string, message: string) => void,
  warning: (path: string, message: string) => void,
): void {
  const { strategy, key } = options
  if (options.client_max_rate !== undefined && strategy === undefined) {
    problem('/strategy', 'is required with client_max_rate: "ip", "header" or "param" (without one, KrakenD limits no client)')
  }
  if ((strategy === 'header' || strategy === 'param') && (typeof key !== 'string' || key === '')) {
    problem('/key', `is required with strategy "${strategy}": the ${strategy === 'header' ? 'header' : 'route parameter'} that tells clients apart`)
  }
  if (strategy === 'param' && place === 'service') {
    problem('/strategy', 'cannot be "param" at the service: its limit runs before routing, where no route parameter is known; use "ip" or "header"')
  }
  if (strategy === 'ip' && key !== undefined && key !== '') {
    warning('/key', "is not read with strategy \"ip\": the client's IP is the router's (forwarded_by_client_ip, remote_ip_headers, trusted_proxies)")
  }
  if (strategy !== undefined && options.client_max_rate === undefined) {
    warning('/strategy', 'tells clients apart for client_max_rate, which is not set: no client is limited')
  }
}

/** A duration's milliseconds, or undefined when absent or unreadable (the JSON Schema reports that). */
function milliseconds(duration: Duration | undefined): number | undefined {
  if (duration === undefined) return undefined
  // Go's ParseDuration, and the schema, read a bare "0"
  if (duration === 0 || duration === '0') return 0
  try {
    return toMilliseconds(duration)
  } catch {
    return undefined
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V }
}
