import type { Redis } from 'ioredis'
import type { TokenBucket } from './token-bucket.js'

/**
 * The token buckets of one request, taken in Redis in one round trip: the client's bucket first,
 * then the one of all clients, each the arithmetic of `TokenBucket.spend` on Redis's own clock
 * (`TIME`, so that every gateway instance counts on one clock). A bucket is one string, the
 * time in milliseconds at which it is full again, under a key that expires at that time: a full
 * bucket and a missing key are the same, so idle clients cost Redis nothing. A script runs
 * alone in Redis: two instances taking the last token at once cannot both get it.
 *
 * KEYS[1]: the client's bucket; KEYS[2]: all clients' bucket. ARGV: the interval and credit
 * (milliseconds) of each, an interval of 0 for a limit the block does not set. Answers
 * `{0, 0}` when both had a token, else `{1 | 2, milliseconds until the bucket that refused has one}`.
 */
const TAKE_TOKENS = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local function spend(key, interval, credit)
  local full = tonumber(redis.call('GET', key)) or now
  if full < now then full = now end
  local wait = full - now - credit
  if wait > 0.000001 then return wait end
  full = full + interval
  -- at least 1 ms: past a million per second, an interval is lost in the clock's precision
  redis.call('SET', key, string.format('%.3f', full), 'PX', math.max(1, math.ceil(full - now)))
  return 0
end
local limits = { { KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]) }, { KEYS[2], tonumber(ARGV[3]), tonumber(ARGV[4]) } }
for which, limit in ipairs(limits) do
  if limit[2] > 0 then
    local wait = spend(limit[1], limit[2], limit[3])
    if wait > 0 then return { which, math.ceil(wait) } end
  end
end
return { 0, 0 }
`

const COMMAND = 'rxgateTakeTokens'

type WithCommand = Redis & { [COMMAND](clientKey: string, totalKey: string, ...args: number[]): Promise<[number, number]> }

/** What Redis said of a request: let through, or refused by one of its buckets, with the wait. */
export type RedisVerdict = { readonly refused: undefined } | { readonly refused: 'client' | 'total'; readonly waitMs: number }

const ADMITTED: RedisVerdict = Object.freeze({ refused: undefined })

/**
 * Takes tokens from buckets kept in Redis (see `TAKE_TOKENS`): the Lua script is sent once per
 * connection (EVALSHA, ioredis's `defineCommand`), then each request is one command.
 *
 * @example
 * const buckets = new RedisBuckets(pools.get('shared'), new TokenBucket({ max_rate: 100 }), undefined)
 * await buckets.take('rxgate:ratelimit:/orders:total', '')   // { refused: undefined }
 */
export class RedisBuckets {
  private readonly redis: WithCommand
  private readonly args: readonly number[]

  constructor(redis: Redis, total: TokenBucket | undefined, client: TokenBucket | undefined) {
    if (typeof (redis as unknown as Partial<WithCommand>)[COMMAND] !== 'function') redis.defineCommand(COMMAND, { numberOfKeys: 2, lua: TAKE_TOKENS })
    this.redis = redis as unknown as WithCommand
    this.args = [client?.interval ?? 0, client?.credit ?? 0, total?.interval ?? 0, total?.credit ?? 0]
  }

  /** Takes a token from the client's bucket (`clientKey`, unused without a client limit), then from all clients' (`totalKey`). Rejects when Redis cannot answer. */
  async take(totalKey: string, clientKey: string): Promise<RedisVerdict> {
    const [which, waitMs] = await this.redis[COMMAND](clientKey, totalKey, ...this.args)
    return which === 0 ? ADMITTED : { refused: which === 1 ? 'client' : 'total', waitMs }
  }
}
