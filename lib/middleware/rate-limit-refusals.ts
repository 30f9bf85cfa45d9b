import { ErrorCodes, RxgateError } from '../errors.js'
import { retryAfterSeconds } from './token-bucket.js'

/** What a refused request is told: the limit it passed, and when to come back. */
export type Refusal = RxgateError

/** Refusals are made once per distinct wait and reused: a flood of refused requests makes no new error objects. */
const MADE = new Map<string, RxgateError>()
const MOST_KEPT = 1024

function refusal(code: typeof ErrorCodes.TOO_MANY_REQUESTS | typeof ErrorCodes.RATE_LIMITED, message: string, seconds: string): RxgateError {
  const id = `${code} ${message} ${seconds}`
  const made = MADE.get(id)
  if (made) return made
  const error = new RxgateError(code, `${message}: retry after ${seconds}s`, { retryAfter: Number(seconds) }, { headers: { 'Retry-After': seconds } })
  if (MADE.size < MOST_KEPT) MADE.set(id, error)
  return error
}

/**
 * One client over its own limit (`client_max_rate`): 429, `RXGATE_ERR_TOO_MANY_REQUESTS`, with
 * `Retry-After` in whole seconds until its bucket holds a token again.
 *
 * @example
 * tooManyRequests(1200)   // 429, Retry-After: 2
 */
export function tooManyRequests(waitMs: number): Refusal {
  return refusal(ErrorCodes.TOO_MANY_REQUESTS, 'this client is over its rate limit', retryAfterSeconds(waitMs))
}

/**
 * Every client together over the limit of an endpoint or of the whole gateway (`max_rate`): 503,
 * `RXGATE_ERR_RATE_LIMITED`, with `Retry-After`, as KrakenD answers it (503) plus the wait.
 *
 * @example
 * overRateLimit(300, 'endpoint')   // 503, Retry-After: 1
 */
export function overRateLimit(waitMs: number, scope: 'endpoint' | 'service'): Refusal {
  return refusal(ErrorCodes.RATE_LIMITED, scope === 'endpoint' ? 'the endpoint is over its rate limit' : 'the gateway is over its rate limit', retryAfterSeconds(waitMs))
}

const KEYLESS = new Map<string, RxgateError>()

/**
 * A request that carries nothing to tell its client by (no `key` header, an empty parameter): a
 * 429, as KrakenD refuses it (no client key, no token), with a message that says what is missing
 * and no `Retry-After`: the same request will never pass.
 */
export function noClientKey(missing: string): Refusal {
  let error = KEYLESS.get(missing)
  if (error === undefined) {
    error = new RxgateError(ErrorCodes.TOO_MANY_REQUESTS, `the request has no ${missing} to count its rate limit by`)
    KEYLESS.set(missing, error)
  }
  return error
}
