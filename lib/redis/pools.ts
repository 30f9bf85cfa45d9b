import { Redis } from 'ioredis'
import { toMilliseconds, type Duration } from '../../operators/duration.js'
import { ErrorCodes, RxgateError } from '../errors.js'
import type { Logger } from '../logger.js'

/**
 * One Redis connection pool as KrakenD Enterprise declares it in the service's `redis` namespace:
 * `{ "name": "shared", "address": "127.0.0.1:6379", "db": 0 }` (older files write `database`).
 */
export interface RedisPoolConfig {
  readonly name: string
  /** `host:port`. */
  readonly address: string
  readonly db?: number
  /** The older name of `db`. */
  readonly database?: number
  readonly username?: string
  readonly password?: string
  /** How the connection shows in Redis's `CLIENT LIST`. */
  readonly client_name?: string
  /** Deadline of a connection attempt. Default 5s, as go-redis. */
  readonly dial_timeout?: Duration
  /** Deadline of a command's answer. Default 3s, as go-redis. */
  readonly read_timeout?: Duration
  /** Deadline of a command's write; a command's deadline is the longer of the two. */
  readonly write_timeout?: Duration
  /** Waits between reconnection attempts, growing from the first to the second. Defaults 8ms and 512ms, as go-redis. */
  readonly min_retry_backoff?: Duration
  readonly max_retry_backoff?: Duration
}

/** The service's `redis` namespace. */
export interface RedisConfig {
  readonly connection_pools?: readonly RedisPoolConfig[]
}

/**
 * The Redis connections of one gateway, by pool name: what shared rate limits and caches use to
 * hold state that every instance of the gateway sees. A pool's client is made when first asked
 * for (a gateway whose file declares pools nobody uses opens nothing), connects in the
 * background and reconnects by itself. It never queues a command while disconnected: a command
 * then fails at once, so a middleware decides right away what an outage means (KrakenD's
 * `on_failure_allow`) instead of making requests wait. One client per pool: ioredis pipelines
 * every command over one connection, so go-redis's pool sizes (`pool_size`, ...) have nothing to
 * size. Closed with the gateway.
 *
 * @example
 * const pools = new RedisPools({ connection_pools: [{ name: 'shared', address: '127.0.0.1:6379' }] }, logger)
 * await pools.get('shared').incr('hits')
 */
export class RedisPools {
  private readonly configs: ReadonlyMap<string, RedisPoolConfig>
  private readonly clients = new Map<string, Redis>()

  constructor(
    config: RedisConfig | undefined,
    private readonly logger: Logger,
  ) {
    this.configs = new Map((config?.connection_pools ?? []).map((pool) => [pool.name, pool]))
  }

  /** The names of the declared pools. */
  get names(): readonly string[] {
    return [...this.configs.keys()]
  }

  /** The client of a declared pool; `BAD_ARGUMENT` for a name no pool has (the configuration check reports it first). */
  get(name: string): Redis {
    const existing = this.clients.get(name)
    if (existing) return existing
    const config = this.configs.get(name)
    if (!config) {
      const known = this.names.length > 0 ? `the pools are ${this.names.map((n) => JSON.stringify(n)).join(', ')}` : 'no pool is declared'
      throw new RxgateError(ErrorCodes.BAD_ARGUMENT, `no Redis connection pool is named ${JSON.stringify(name)}: ${known}`, { pool: name })
    }
    const client = connect(config, this.logger)
    this.clients.set(name, client)
    return client
  }

  /**
   * Resolves once every client made so far is connected, or when `ms` have passed (then the ones
   * still connecting are named in a warning and go on trying). A gateway waits for this before it
   * listens, so that its first requests do not meet a Redis that is merely still connecting.
   */
  async connected(ms = 2000): Promise<void> {
    const pending = [...this.clients].filter(([, client]) => client.status !== 'ready')
    if (pending.length === 0) return
    let timer: NodeJS.Timeout | undefined
    const ready = Promise.all(pending.map(([, client]) => new Promise<void>((resolve) => client.once('ready', () => resolve()))))
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)))
    const outcome = await Promise.race([ready, late])
    clearTimeout(timer)
    if (outcome === 'late') {
      const names = pending.filter(([, client]) => client.status !== 'ready').map(([name]) => name)
      this.logger.warn({ pools: names }, `Redis is not reachable yet after ${ms} ms: serving, and connecting on`)
    }
  }

  /** Closes every client: commands in flight are answered first. */
  async close(): Promise<void> {
    const clients = [...this.clients.values()]
    this.clients.clear()
    await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())))
  }
}

function connect(config: RedisPoolConfig, logger: Logger): Redis {
  const [host = '127.0.0.1', port = '6379'] = splitAddress(config.address)
  const ms = (value: Duration | undefined, fallback: number) => (value === undefined ? fallback : toMilliseconds(value))
  const minBackoff = ms(config.min_retry_backoff, 8)
  const maxBackoff = ms(config.max_retry_backoff, 512)
  const client = new Redis({
    host,
    port: Number(port),
    db: config.db ?? config.database ?? 0,
    ...(config.username === undefined ? {} : { username: config.username }),
    ...(config.password === undefined ? {} : { password: config.password }),
    ...(config.client_name === undefined ? {} : { connectionName: config.client_name }),
    connectTimeout: ms(config.dial_timeout, 5000),
    commandTimeout: Math.max(ms(config.read_timeout, 3000), ms(config.write_timeout, 3000)),
    // While disconnected, fail at once rather than queue: the caller decides what an outage means.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(minBackoff * 2 ** (attempt - 1), maxBackoff),
    lazyConnect: false,
  })
  // ioredis reports every failed attempt while Redis is down: one line when it goes, one when it is back.
  let down = false
  client.on('error', (error: Error) => {
    if (down) return
    down = true
    logger.warn({ err: error, pool: config.name, address: config.address }, 'Redis is unreachable: reconnecting')
  })
  client.on('ready', () => {
    if (!down) return
    down = false
    logger.info({ pool: config.name, address: config.address }, 'Redis is reachable again')
  })
  return client
}

/** `host:port`, `[::1]:6379`, or a bare host. */
function splitAddress(address: string): [string, string] {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(address)
  if (bracketed) return [bracketed[1]!, bracketed[2] ?? '6379']
  const colon = address.lastIndexOf(':')
  return colon === -1 ? [address, '6379'] : [address.slice(0, colon), address.slice(colon + 1)]
}
