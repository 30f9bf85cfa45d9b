import type { OperatorFunction } from 'rxjs'
import type { GatewayRequest } from '../request.js'
import type { Render } from './reply.js'
import type { EndpointTelemetry } from '../telemetry/hooks.js'

/**
 * An endpoint's pipeline: from the client request to its answer, a `merge()` result or any plain
 * value to send as JSON. The first value answers; unsubscribing cancels whatever is in flight.
 */
export type Pipeline = OperatorFunction<GatewayRequest, unknown>

/** A route as the server runs it: everything computed from its options once, at start-up. */
export interface Endpoint {
  readonly method: string
  readonly path: string
  readonly pipeline: Pipeline
  /** Deadline for the whole pipeline, in milliseconds. */
  readonly timeout: number
  /** Makes the HTTP reply of the pipeline's result. */
  readonly render: Render
  /** Largest request body read, in bytes. */
  readonly maxBodyBytes: number
  /** Whether each request's callbacks are traced to it, so that an error escaping them ends it (see `EndpointRun.start`). */
  readonly traced: boolean
  /** Its metrics and traces, compiled once (absent when telemetry is off or skips it). */
  readonly telemetry?: EndpointTelemetry | undefined
}
