import { AsyncLocalStorage } from 'node:async_hooks'
import type { ServerResponse } from 'node:http'
import { Subscription, of } from 'rxjs'
import { failed, type Failed } from '../../operators/part.js'
import { isMerged, merged } from '../../operators/merge.js'
import { ErrorCodes, RxgateError, errorCode, isRefusal } from '../errors.js'
import type { Logger } from '../logger.js'
import type { GatewayRequest } from '../request.js'
import type { Endpoint } from './endpoint.js'
import type { RunTelemetry } from '../telemetry/hooks.js'
import { errorReply, writeReply, type Reply } from './reply.js'

/**
 * The run a piece of code belongs to, through every callback it schedules: what lets an error
 * that escapes everything (a throw in a user's timer) still end its own request (see
 * `guardProcess`).
 */
const current = new AsyncLocalStorage<EndpointRun>()

/** The run of the code executing now, if it was started by one. */
export function currentRun(): EndpointRun | undefined {
  return current.getStore()
}

/**
 * One request's run of its endpoint: the pipeline subscribed, its first value rendered and
 * written, within the endpoint's deadline, and torn down when answered or when the client goes
 * away. Whatever throws on the way (the pipeline, a user's operator, the renderer, an encoder,
 * the writing, a teardown) ends this request alone: a 500 with a stable code when nothing was
 * sent yet, the connection cut when the answer had started, and one log line naming the endpoint.
 */
export class EndpointRun {
  private answered = false
  private subscription: Subscription | undefined
  private deadline: NodeJS.Timeout | undefined
  /** This request's metrics and span, when its endpoint reports any. */
  private telemetry: RunTelemetry | undefined

  constructor(
    readonly endpoint: Endpoint,
    private readonly request: GatewayRequest,
    private readonly res: ServerResponse,
    private readonly logger: Logger,
  ) {}

  /**
   * Subscribes to the pipeline. `guarded` (the process guard is on) and the endpoint `traced`:
   * everything the pipeline schedules is known to belong to this run, so that `guardProcess` can
   * end it. Tracing is AsyncLocalStorage, whose hooks, once enabled, tag every promise and async
   * resource of the process: measured on Node 20, about 9% of a proxied request's CPU (10 rounds,
   * medians of CPU time per request: 100 us untraced, 109 us traced). So only endpoints that run
   * a user's code are traced; a file's endpoints, rxgate's own operators, are not.
   */
  start(guarded: boolean): void {
    if (this.endpoint.telemetry !== undefined) this.request.context.telemetry = this.telemetry = this.endpoint.telemetry.begin(this.request)
    if (guarded && this.endpoint.traced) current.run(this, () => this.subscribe())
    else this.subscribe()
  }

  /** The client went away before the answer: every backend call in flight is cancelled. */
  cancel(): void {
    // marked before the teardown, so that the calls it cuts count as cancelled, not timed out
    if (!this.answered) this.telemetry?.settled(false, false, true)
    this.answered = true
    this.teardown()
    this.telemetry?.closed(this.res.headersSent ? this.res.statusCode : 0)
  }

  /**
   * Ends the request with an error of its pipeline (or of anything it scheduled): rendered as the
   * endpoint renders failures, so `return_error_msg` and friends hold. Once answered, only logged.
   */
  fail(error: unknown): void {
    if (isRefusal(error)) {
      // a 401 or a 429 is the endpoint doing its job, and a flood of them must not flood the log
      this.logger.debug({ code: errorCode(error), endpoint: this.endpoint.path, reason: (error as Error).message }, 'request refused')
    } else if (errorCode(error) === ErrorCodes.ENDPOINT_TIMEOUT) {
      // a deadline that passed is routine for a gateway: said at warn, without a stack
      this.logger.warn({ code: ErrorCodes.ENDPOINT_TIMEOUT, endpoint: this.endpoint.path, reason: (error as Error).message }, 'endpoint timed out')
    } else {
      const what = this.answered ? 'endpoint failed after it answered' : 'endpoint failed'
      this.logger.error({ err: error, code: errorCode(error), endpoint: this.endpoint.path }, what)
    }
    if (!this.answered) this.telemetry?.settled(false, true, false)
    this.settle(() => this.render(merged({ data: undefined, complete: false, delivered: 0, errors: [failed('', 0, error)] })))
  }

  private subscribe(): void {
    this.deadline = setTimeout(() => this.fail(endpointTimeout(this.endpoint)), this.endpoint.timeout)
    try {
      this.subscription = this.endpoint.pipeline(of(this.request)).subscribe({
        next: (result) => this.settle(() => this.answer(result)),
        // After the answer (a pipeline that answers, then ends, before its subscription is
        // returned), its end says nothing more.
        error: (error: unknown) => this.answered || this.fail(pipelineError(error)),
        complete: () => this.answered || this.fail(new RxgateError(ErrorCodes.EMPTY, 'the endpoint produced no answer')),
      })
    } catch (error) {
      // A pipeline function that throws instead of returning an observable.
      this.fail(pipelineError(error))
    }
    // Answered synchronously, before the subscription was returned: end it now.
    if (this.answered) this.teardown()
  }

  /** The first outcome answers; the pipeline is then torn down. */
  private settle(reply: () => void): void {
    if (this.answered) return
    this.answered = true
    reply()
    this.teardown()
  }

  private answer(result: unknown): void {
    if (this.telemetry !== undefined) {
      if (isMerged(result)) this.telemetry.settled(result.complete, result.errors.length > 0, false)
      else this.telemetry.settled(true, false, false)
    }
    if (isMerged(result) && result.errors.length > 0) {
      const failures = result.errors.map(failure)
      this.logger.warn({ endpoint: this.endpoint.path, failures }, result.delivered > 0 ? 'partial answer' : 'no backend answered')
    }
    this.render(result)
  }

  private render(result: unknown): void {
    let reply: Reply
    try {
      reply = this.endpoint.render(result, this.request)
    } catch (error) {
      return this.crash(error instanceof RxgateError ? error : new RxgateError(ErrorCodes.RENDER, 'the renderer threw', {}, { cause: error }))
    }
    this.write(reply)
  }

  private write(reply: Reply): void {
    try {
      writeReply(this.res, this.withContext(reply), (error) => this.bodyFailed(error))
    } catch (error) {
      this.crash(new RxgateError(ErrorCodes.INTERNAL, 'the answer could not be written', {}, { cause: error }))
    }
  }

  /** The answer's body broke off after its head was sent (a document passed whole found invalid, a no-op body cut): the client sees it cut. */
  private bodyFailed(error: unknown): void {
    this.logger.error({ err: error, code: errorCode(error), endpoint: this.endpoint.path }, 'endpoint failed after it answered')
  }

  /** Answering itself failed: a 500 while nothing is sent yet, else the connection is cut (the client sees it truncated). */
  private crash(error: RxgateError): void {
    this.logger.error({ err: error, code: error.code, endpoint: this.endpoint.path }, 'endpoint failed')
    if (this.res.headersSent) {
      this.res.destroy()
      return
    }
    try {
      writeReply(this.res, this.withContext(errorReply(error)))
    } catch {
      this.res.destroy()
    }
  }

  /** The reply with the headers the request's stages asked for (a CORS origin, a rate limit's count). */
  private withContext(reply: Reply): Reply {
    const added = this.request.context.responseHeaders
    return added ? { ...reply, headers: { ...reply.headers, ...added } } : reply
  }

  /** Unsubscribes; a teardown that throws is logged (the others have run: RxJS collects their errors). */
  private teardown(): void {
    clearTimeout(this.deadline)
    const subscription = this.subscription
    this.subscription = undefined
    try {
      subscription?.unsubscribe()
    } catch (error) {
      this.logger.error({ err: error, code: ErrorCodes.INTERNAL, endpoint: this.endpoint.path }, 'a teardown of the pipeline threw')
    }
  }
}

/** A failed part, for the log: its backend (a file's `url_pattern`), or its source's name when that says something more or nothing else does. */
function failure({ source, backend, error }: Failed) {
  const code = errorCode(error)
  const message = (error as Error)?.message
  if (backend === undefined) return { source, code, message }
  return backend === source ? { backend, code, message } : { source, backend, code, message }
}

/** rxgate's own errors keep their code; anything else a pipeline throws is the pipeline's failure, its cause kept for the log. */
function pipelineError(error: unknown): unknown {
  return error instanceof RxgateError ? error : new RxgateError(ErrorCodes.PIPELINE, "the endpoint's pipeline failed", {}, { cause: error })
}

function endpointTimeout(endpoint: Endpoint) {
  return new RxgateError(ErrorCodes.ENDPOINT_TIMEOUT, `the endpoint did not answer within ${endpoint.timeout}ms`, {
    endpoint: endpoint.path,
  })
}
