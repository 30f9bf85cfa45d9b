import { asyncScheduler } from 'rxjs'

/** A circuit breaker's states, named as gobreaker (and so KrakenD's logs) names them. */
export type BreakerState = 'closed' | 'open' | 'half-open'

/** How a {@link Breaker} counts and waits. Durations in milliseconds. */
export interface BreakerSettings {
  /**
   * The closed state's counting window: once it has passed, the next call starts a new window
   * with no failures counted (gobreaker's cyclic `Interval`). 0: the count never starts again
   * while closed.
   */
  readonly interval: number
  /** How long the breaker stays open before it lets one trial call through. */
  readonly timeout: number
  /** The consecutive failures tolerated while closed: one more opens the breaker. */
  readonly maxErrors: number
  /** Told of every change of state, when it happens. */
  readonly onChange?: (from: BreakerState, to: BreakerState) => void
  /** The clock. By default the RxJS async scheduler's, so that marble tests run it in virtual time. */
  readonly now?: () => number
}

/** {@link Breaker.admit}'s answer while open: the call must not be made. */
export const REFUSED_OPEN = -1
/** {@link Breaker.admit}'s answer while half-open and the one trial call is still running. */
export const REFUSED_TRIAL_RUNNING = -2

/**
 * gobreaker's state machine, as KrakenD's `qos/circuit-breaker` configures it (one trial call
 * when half-open): closed, it counts consecutive failures, and the first one past `maxErrors`
 * opens it; open, it refuses every call for `timeout`; then half-open, it lets one call through,
 * whose success closes it and whose failure opens it again. Time is read when a call asks or
 * ends, never by a timer: a breaker costs nothing while no one calls.
 *
 * Each change of state, and each new closed window, starts a new generation; a call that ends
 * in a later generation than it started in is not counted, as gobreaker ignores it: a call
 * admitted before the breaker opened cannot close it, nor reopen a new window.
 *
 * @example
 * const breaker = new Breaker({ interval: 60_000, timeout: 10_000, maxErrors: 1 })
 * const ticket = breaker.admit()
 * if (ticket < 0) throw new Error('circuit open')
 * callBackend().then(() => breaker.settle(ticket, true), () => breaker.settle(ticket, false))
 */
export class Breaker {
  private current: BreakerState = 'closed'
  private generation = 0
  /** Calls admitted in this generation: the half-open state admits one. */
  private calls = 0
  /** Consecutive failures in this generation. */
  private failures = 0
  /** When the closed window or the open period ends; 0: never. */
  private expiry = 0
  private readonly now: () => number

  constructor(private readonly settings: BreakerSettings) {
    this.now = settings.now ?? (() => asyncScheduler.now())
    this.renew(this.now())
  }

  /** The state now (an open breaker whose timeout has passed is half-open). */
  get state(): BreakerState {
    this.advance(this.now())
    return this.current
  }

  /**
   * Asks to make one call: a ticket (0 or more) to {@link settle} it with, or why it must not be
   * made ({@link REFUSED_OPEN}, {@link REFUSED_TRIAL_RUNNING}).
   */
  admit(): number {
    this.advance(this.now())
    if (this.current === 'open') return REFUSED_OPEN
    if (this.current === 'half-open' && this.calls >= 1) return REFUSED_TRIAL_RUNNING
    this.calls++
    return this.generation
  }

  /** Counts how an admitted call ended: once per ticket. */
  settle(ticket: number, success: boolean): void {
    const now = this.now()
    this.advance(now)
    if (ticket !== this.generation) return
    if (success) {
      if (this.current === 'closed') this.failures = 0
      else if (this.current === 'half-open') this.change('closed', now)
    } else if (this.current === 'closed') {
      if (++this.failures > this.settings.maxErrors) this.change('open', now)
    } else if (this.current === 'half-open') this.change('open', now)
  }

  /** What time does to the state: a closed window that passed starts a new one; an open period that passed half-opens. */
  private advance(now: number): void {
    if (this.current === 'closed') {
      if (this.expiry !== 0 && this.expiry < now) this.renew(now)
    } else if (this.current === 'open' && this.expiry < now) this.change('half-open', now)
  }

  private change(to: BreakerState, now: number): void {
    const from = this.current
    this.current = to
    this.renew(now)
    this.settings.onChange?.(from, to)
  }

  private renew(now: number): void {
    this.generation++
    this.calls = 0
    this.failures = 0
    this.expiry =
      this.current === 'open' ? now + this.settings.timeout
      : this.current === 'closed' && this.settings.interval > 0 ? now + this.settings.interval
      : 0
  }
}
