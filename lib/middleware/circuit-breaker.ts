import { Observable, type Subscription } from 'rxjs'
import { callSource, perRequest } from '../../operators/per-request.js'
import { ErrorCodes, RxgateError } from '../errors.js'
import { createLogger } from '../logger.js'
import type { GatewayRequest } from '../request.js'
import { Breaker, REFUSED_OPEN, type BreakerState } from './breaker.js'
import type { OptionFinding } from '../config/middleware-options.js'
import type { BackendMiddleware, BackendSource, MiddlewareContext, MiddlewareDefinition } from './types.js'

/** The `qos/circuit-breaker` block of a backend, as KrakenD documents it. */
export interface CircuitBreakerOptions {
  /**
   * Seconds: the window in which consecutive failures count. Once it has passed, the next call
   * starts a new one from zero (gobreaker's cyclic interval); 0: the count never starts again.
   */
  readonly interval: number
  /** Seconds the backend is not called once the breaker opens, before one trial call; 0 reads as 60, as gobreaker reads it. */
  readonly timeout: number
  /** The consecutive failures tolerated: the next one opens the breaker (KrakenD opens it when they are exceeded). */
  readonly max_errors: number
  /** A name for the logs. */
  readonly name?: string
  /** Logs each change of state (closed, open, half-open) at warn level. */
  readonly log_status_change?: boolean
}

/** gobreaker's open period when the one written is 0 or less. */
const DEFAULT_TIMEOUT_SECONDS = 60

/**
 * `qos/circuit-breaker`: stops calling a backend that keeps failing, as KrakenD does with
 * gobreaker. After more than `max_errors` consecutive failures within `interval`, the breaker
 * opens: for `timeout` seconds the backend is not called, and its part fails at once with
 * `RXGATE_ERR_CIRCUIT_OPEN`. Then it half-opens: one trial call goes through (others still fail
 * at once while it runs); its success closes the breaker, its failure opens it again.
 *
 * A failure is whatever fails the backend's call inside the breaker: a refused or reset
 * connection, a status that is not a success, a body that does not decode, a token that cannot be
 * had, and a call cancelled before it answered (the endpoint's deadline, the client gone), as
 * KrakenD counts a cancelled context. A `no-op` backend's call succeeds with any status.
 *
 * Each backend the middleware wraps gets its own breaker: wrap a backend once and use the wrapped
 * source wherever it is called for those calls to share it.
 *
 * @example
 * const users = circuitBreaker({ interval: 60, timeout: 10, max_errors: 3, name: 'users' })(
 *   backend('http://users:8080/users/{id}'),
 * )
 * gateway().get('/users/{id}', pipe(fanOut({ users }), timeoutEach('1s'), merge()))
 */
export function circuitBreaker(options: CircuitBreakerOptions, context: Partial<MiddlewareContext> = {}): BackendMiddleware {
  const at = context.at ?? 'backend'
  const wrong = invalidOption(options)
  if (wrong) throw new RxgateError(ErrorCodes.BAD_ARGUMENT, `qos/circuit-breaker of ${at}: ${wrong}`, { at })
  if (turnsNothingOn(options)) return (source) => source
  const name = options.name ?? ''
  const described = name === '' ? `the circuit breaker of ${at}` : `the circuit breaker "${name}" of ${at}`
  const timeout = options.timeout > 0 ? options.timeout : DEFAULT_TIMEOUT_SECONDS
  const facts = { backend: at, ...(name === '' ? {} : { breaker: name }) }
  // Made once: a refused call costs no new error.
  const open = new RxgateError(
    ErrorCodes.CIRCUIT_OPEN,
    `${described} is open: the backend failed ${inARow(options.max_errors)}, and is not called for ${timeout}s after that`,
    { ...facts, state: 'open' },
  )
  const trialRunning = new RxgateError(
    ErrorCodes.CIRCUIT_OPEN,
    `${described} is half-open: its one trial call is still running, and decides whether the backend is called again`,
    { ...facts, state: 'half-open' },
  )
  const logger = options.log_status_change ? (context.logger ?? createLogger()) : undefined
  const onChange = logger && ((from: BreakerState, to: BreakerState) => logger.warn({ ...facts, from, to }, `${described} went from ${from} to ${to}`))
  const settings = {
    interval: options.interval * 1000,
    timeout: timeout * 1000,
    maxErrors: options.max_errors,
    ...(onChange ? { onChange } : {}),
  }
  return (source: BackendSource) => {
    // a reloaded file keeps the breaker (its state, its count) of a block it did not change
    const breaker = context.keep ? context.keep(() => new Breaker(settings)) : new Breaker(settings)
    return perRequest((request: GatewayRequest) => guardedCall(breaker, source, request, open, trialRunning))
  }
}

/**
 * One call through the breaker: refused at once when it says so; otherwise made, and counted by
 * its first sign: a value or a completion is a success, an error or a cancellation before either
 * is a failure. Written as one observable rather than a chain of operators: it runs for every call.
 */
function guardedCall(breaker: Breaker, source: BackendSource, request: GatewayRequest, open: RxgateError, trialRunning: RxgateError): Observable<unknown> {
  return new Observable((subscriber) => {
    const ticket = breaker.admit()
    if (ticket < 0) {
      subscriber.error(ticket === REFUSED_OPEN ? open : trialRunning)
      return undefined
    }
    let settled = false
    const settle = (success: boolean) => {
      if (settled) return
      settled = true
      breaker.settle(ticket, success)
    }
    let call: Subscription
    try {
      call = callSource(source, request).subscribe({
        next: (value) => {
          settle(true)
          subscriber.next(value)
        },
        error: (error: unknown) => {
          settle(false)
          subscriber.error(error)
        },
        complete: () => {
          settle(true)
          subscriber.complete()
        },
      })
    } catch (error) {
      // A source that throws when called: a failure, and the trial slot is not kept.
      settle(false)
      throw error
    }
    return () => {
      call.unsubscribe()
      settle(false)
    }
  })
}

function inARow(maxErrors: number): string {
  return maxErrors === 0 ? 'once' : `more than ${maxErrors} time${maxErrors === 1 ? '' : 's'} in a row`
}

const WHOLE_NUMBERS = ['interval', 'timeout', 'max_errors'] as const

/** What makes a block unusable, as a sentence; the JSON Schema says the same to `rxgate check`. */
function invalidOption(options: CircuitBreakerOptions): string | undefined {
  if (typeof options !== 'object' || options === null) return 'the block must be an object'
  for (const key of WHOLE_NUMBERS) {
    const value: unknown = options[key]
    if (!Number.isSafeInteger(value) || (value as number) < 0) return `${key} must be a whole number of 0 or more (got ${JSON.stringify(value) ?? 'nothing'})`
  }
  if (options.name !== undefined && typeof options.name !== 'string') return 'name must be a string'
  if (options.log_status_change !== undefined && typeof options.log_status_change !== 'boolean') return 'log_status_change must be true or false'
  return undefined
}

/** KrakenD reads a block whose every setting is zero or empty as no circuit breaker at all. */
function turnsNothingOn(options: CircuitBreakerOptions): boolean {
  return options.interval === 0 && options.timeout === 0 && options.max_errors === 0 && !options.name && !options.log_status_change
}

/**
 * What `rxgate check` warns about in a block that serves, but likely not as meant: a `timeout` of
 * 0 (an open breaker waits 60 seconds), a block of zeros (no breaker at all).
 *
 * @example
 * circuitBreakerWarnings({ interval: 60, timeout: 0, max_errors: 3 })
 * // [{ path: '/timeout', message: '0 reads as 60 seconds ...', warning: true }]
 */
export function circuitBreakerWarnings(options: CircuitBreakerOptions): OptionFinding[] {
  if (invalidOption(options)) return []
  if (turnsNothingOn(options)) {
    return [{ path: '', message: 'interval, timeout and max_errors are all 0: KrakenD reads this block as no circuit breaker, and so does rxgate', warning: true }]
  }
  if (options.timeout === 0) {
    return [{ path: '/timeout', message: `0 reads as ${DEFAULT_TIMEOUT_SECONDS} seconds (gobreaker's default): an open breaker waits that long before its trial call`, warning: true }]
  }
  return []
}

export const circuitBreakerDefinition: MiddlewareDefinition = {
  namespace: 'qos/circuit-breaker',
  backend: circuitBreaker,
}
