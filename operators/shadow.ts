import { Subscription, asyncScheduler, tap, type MonoTypeOperatorFunction } from 'rxjs'
import { ErrorCodes, RxgateError } from '../lib/errors.js'
import { toMilliseconds, type Duration } from './duration.js'
import type { Source } from './fan-out.js'
import { callSource } from './per-request.js'

export interface ShadowOptions {
  /** How long a shadow call may run before it is unsubscribed (its HTTP request aborted). Default: no limit. */
  readonly timeout?: Duration
}

/**
 * Mirrors traffic (KrakenD's shadow backends): for each request, calls the source in the
 * background and passes the request on unchanged. The shadow call's values and errors are
 * ignored, so it can never change, delay or break the answer.
 *
 * The shadow call is detached, as KrakenD detaches its context: it is not cancelled when the
 * request's own subscription ends (the answer sent, the client gone), so the mirrored backend
 * sees whole requests. It ends on its own, or at `options.timeout`, counted from the request;
 * without a timeout nothing bounds it, so give one (KrakenD uses the backend's timeout) unless
 * the source has its own deadline.
 *
 * @example
 * const users = pipe(
 *   shadow(usersV2, { timeout: '2s' }), // tried with real traffic, never answering
 *   fanOut({ user: usersV1 }),
 *   merge(),
 * )
 */
export function shadow<R>(source: Source<R, unknown>, options: ShadowOptions = {}): MonoTypeOperatorFunction<R> {
  if (typeof source !== 'function') {
    throw new RxgateError(
      ErrorCodes.BAD_ARGUMENT,
      'shadow(): the source is not an operator: pass a function from a request observable to results, e.g. mergeMap((req) => fetch$(req))',
    )
  }
  const ms = options.timeout === undefined ? undefined : toMilliseconds(options.timeout)
  return tap((request) => fire(source, request, ms))
}

function fire<R>(source: Source<R, unknown>, request: R, ms: number | undefined): void {
  const call = new Subscription()
  // Scheduled first, like timeoutEach, so a call ending exactly at the deadline is cut.
  if (ms !== undefined) call.add(asyncScheduler.schedule(() => call.unsubscribe(), ms))
  const end = () => call.unsubscribe()
  try {
    call.add(callSource(source, request).subscribe({ error: end, complete: end }))
  } catch {
    // A source that throws when called: ignored like any other failure of the shadow.
    end()
  }
}
