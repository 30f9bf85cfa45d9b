import type { IncomingHttpHeaders } from 'node:http'
import type { GatewayRequest } from '../request.js'

/**
 * Where a request carries a wrapper's hand in its backend calls (see {@link CallInterceptor}):
 * a backend middleware puts it on the request it passes down ({@link withInterceptor}), and every
 * call rxgate's transport makes for that request goes through it. A request without one costs
 * the transport one property read.
 */
export const INTERCEPT: unique symbol = Symbol('rxgate.intercept') as never

/** A request that may carry an interceptor. */
export interface Intercepting {
  readonly [INTERCEPT]?: CallInterceptor
}

/**
 * A copy of the request whose backend calls go through `interceptor` (over any that a wrapper
 * outside gave it). Made so because V8 (Node 20) adds a key that a spread object lacks on a slow
 * path: `{ ...request, [INTERCEPT]: interceptor }` costs about 2.5 us, this about 0.15 us.
 *
 * @example
 * perRequest((request) => callSource(source, withInterceptor(request, cache)))
 */
export function withInterceptor(request: GatewayRequest, interceptor: CallInterceptor): GatewayRequest {
  const copy = Object.assign({ [INTERCEPT]: interceptor }, request)
  copy[INTERCEPT] = interceptor
  return copy
}

/**
 * Takes over one backend call at the HTTP level: it sees the request as it will be sent and the
 * answer's head before the body is read, and resolves with the call's value (or throws its
 * error). The HTTP cache is one: it answers from its store without sending, sends validators and
 * keeps its value on a 304, or keeps a fresh answer's value. Only calls that decode their body
 * are intercepted (a `no-op` call's streamed body is never the interceptor's).
 *
 * @example
 * const logged: CallInterceptor = async (call) => {
 *   const answer = await call.send()
 *   console.log(call.url, answer.status)
 *   return (await answer.read()).value
 * }
 */
export type CallInterceptor = (call: InterceptedCall) => Promise<unknown>

/** One backend call, about to be sent. */
export interface InterceptedCall {
  readonly method: string
  /** Origin, path and query, as sent: `http://users:8080/users/7?lang=en`. */
  readonly url: string
  /** The request's headers as sent (lower-case names): the forwarded ones, the gateway's and the context's. */
  readonly headers: Readonly<Record<string, string>>
  /**
   * What turns this call's body into its value (encoding, allow and deny lists, limits), as one
   * string: two calls of one URL with the same `decoding` give the same value.
   */
  readonly decoding: string
  /** Sends the request, with `headers` added, and follows redirects: resolves with the final answer's head. */
  send(headers?: Readonly<Record<string, string>>): Promise<InterceptedAnswer>
}

/** A backend's final answer: the head, the body not read yet. */
export interface InterceptedAnswer {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  /** The URL that answered: the call's own, or where its redirects led. */
  readonly url: string
  /** Whether the status counts as success for this backend: `read()` then gives its value. */
  readonly ok: boolean
  /**
   * Reads the body: its decoded value and how many bytes it had (after any content coding was
   * undone), or, for a status that is not a success, throws the call's `BACKEND_STATUS` error.
   * Once.
   */
  read(): Promise<{ readonly value: unknown; readonly bytes: number }>
  /** Throws the body away unread (a 304's, a failure answered otherwise). */
  discard(): void
}
