import { ROOT_CONTEXT, defaultTextMapGetter, type Context, type SpanContext } from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import type { Headers } from '../request.js'

const propagator = new W3CTraceContextPropagator()

/**
 * The trace a client's `traceparent` and `tracestate` carry (W3C Trace Context), as the parent of
 * the request's span; the root context when it carries none or an invalid one.
 *
 * @example
 * clientTrace({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' })
 */
export function clientTrace(headers: Headers): Context {
  return propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter)
}

/**
 * The `traceparent` header naming a span as the parent of the next hop.
 *
 * @example
 * traceparent(span.spanContext())   // '00-4bf92f3577b34da6a3ce929d0e0e4736-b7ad6b7169203331-01'
 */
export function traceparent(context: SpanContext): string {
  return `00-${context.traceId}-${context.spanId}-${(context.traceFlags & 0xff).toString(16).padStart(2, '0')}`
}
