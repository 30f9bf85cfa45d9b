import { Observable } from 'rxjs'
import type { DecoderFactory } from '../codec/decoder.js'
import { jsonDecoder } from '../codec/json-decoder.js'
import { rssDecoder } from '../codec/rss-decoder.js'
import { safeJsonDecoder } from '../codec/safejson-decoder.js'
import { stringDecoder } from '../codec/string-decoder.js'
import { xmlDecoder } from '../codec/xml-decoder.js'
import { CONNECTIONS, type GatewayRequest } from '../request.js'
import { bodyHead, decodeBody } from './body.js'
import { Cancellation, networkError, type BackendRequest, type BackendResponse, type Exchange } from './exchange.js'
import { INTERCEPT, type InterceptedCall, type Intercepting } from './intercept.js'
import { sharedConnections } from './connections.js'
import { compileForwarding } from './forward.js'
import { http1Exchange } from './http1.js'
import { http2Exchange } from './http2.js'
import { resolveOptions, type BackendOptions, type ResolvedOptions } from './options.js'
import { dropRawResponse, rawResponse, type RawResponse } from './raw.js'
import { PassedDocument, passBody } from './passed-document.js'
import { checkedJsonDecoder } from '../codec/checked-json.js'
import { followRedirect, isRedirect, tooManyRedirects } from './redirect.js'
import { compileStatusPolicy, statusError } from './status.js'
import { compileUrlTemplate } from './url-template.js'
import type { BackendDescription, CallTelemetry } from '../telemetry/hooks.js'

/** Methods whose backend request carries the client's body. */
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH'])

/**
 * A backend as a function of a request: each call sends one HTTP request and returns an
 * observable that emits the decoded body once and completes, or errors with an `RxgateError`
 * (`BACKEND_STATUS`, `BACKEND_DECODE`, `BACKEND_NETWORK`, `BACKEND_TOO_LARGE`, `BACKEND_REDIRECT`,
 * `MISSING_PARAM`). Nothing happens until it is subscribed; unsubscribing before the end aborts the
 * request, so the backend sees its connection (HTTP/1.1) or stream (HTTP/2) closed.
 *
 * With `encoding: 'no-op'` it emits a {@link RawResponse} as soon as the head arrives, whatever
 * the status (redirects are still followed, as KrakenD does, unless listed in `successStatus`),
 * and completes: the body is then the subscriber's, to read or destroy (see `RawResponse`).
 * Unsubscribing before the head arrives aborts the request.
 *
 * Everything that can be is compiled here, once: URL template, allow-lists, status set, field trees.
 * A bad definition throws `BAD_BACKEND` here, not per request.
 *
 * @example
 * const user = httpCall('http://users:8080/users/{id}', { allow: ['name', 'email'] })
 * user(req).subscribe(console.log)
 */
export function httpCall(url: string, options: BackendOptions & { readonly encoding: 'no-op' }): (req: GatewayRequest) => Observable<RawResponse>
export function httpCall<T = unknown>(url: string, options?: BackendOptions): (req: GatewayRequest) => Observable<T>
export function httpCall<T = unknown>(url: string, options?: BackendOptions): (req: GatewayRequest) => Observable<T> {
  const resolved = resolveOptions(url, options)
  const raw = resolved.encoding === 'no-op'
  const template = compileUrlTemplate(url)
  const forwarding = compileForwarding(resolved.headers, resolved.query, template.queryKeys, raw)
  const success = compileStatusPolicy(resolved.successStatus)
  const decoders = raw ? undefined : (decoderFor(resolved) as DecoderFactory<T>)
  const transport = transportFor(resolved)
  const withBody = WITH_BODY.has(resolved.method)
  const passAbove = resolved.streamVerbatimAbove
  // how a document passed whole is read: checked, never parsed, however short
  const whole =
    passAbove === undefined
      ? undefined
      : { decoders: checkedJsonDecoder(resolved.maxNestingDepth), threshold: passAbove, maxBytes: resolved.maxBodyBytes, maxNestingDepth: resolved.maxNestingDepth }
  const source = { method: resolved.method, urlPattern: template.pattern }
  // what this backend's calls report under, when their gateway has telemetry: named on the first call
  const telemetryKey = {}
  const describe = (): BackendDescription => ({
    method: resolved.method,
    urlPattern: options?.telemetry?.urlPattern ?? template.pattern,
    host: options?.telemetry?.host ?? template.origin,
    options: options?.telemetry?.options,
  })

  // What makes this call's value from a body: an HTTP cache shares values only between equal ones.
  const decoding = JSON.stringify([resolved.encoding, resolved.allow, resolved.deny, resolved.maxBodyBytes, resolved.maxNestingDepth])

  /** One call: redirects followed, the final answer checked and decoded, or handed to the request's interceptor. */
  async function perform(req: GatewayRequest, signal: Cancellation, telemetry: CallTelemetry | undefined): Promise<T> {
    const body = withBody ? req.body : undefined
    const path = forwarding.query(req, template.path(req.params, req.context.claims), template.hasQuery)
    const headers = forwarding.headers(req, body !== undefined)
    const request: BackendRequest = {
      origin: template.origin,
      path,
      method: resolved.method,
      headers: telemetry === undefined ? headers : telemetry.headers(headers, template.origin + path),
      body,
      connections: req[CONNECTIONS] ?? sharedConnections,
    }
    const intercept = decoders === undefined ? undefined : (req as Intercepting)[INTERCEPT]
    if (intercept !== undefined) return intercept(intercepted(request, signal, telemetry)) as Promise<T>
    return answer(await send(request, signal, telemetry), undefined, true)
  }

  /** Sends a request and follows its redirects: the final answer, its body unread. */
  async function send(first: BackendRequest, signal: Cancellation, telemetry: CallTelemetry | undefined): Promise<Final> {
    let request = first
    const referer = request.headers.referer
    for (let redirects = 0; ; redirects++) {
      const target = request.origin + request.path
      let response: BackendResponse
      try {
        response = await transport(request.origin)(request, signal)
      } catch (error) {
        throw networkError(error, target)
      }
      const { status } = response
      if (success(status) || !isRedirect(status)) {
        telemetry?.responded(status, response.headers)
        return { response, target }
      }
      response.discard()
      if (redirects >= resolved.maxRedirects) throw tooManyRedirects(url, resolved.maxRedirects)
      request = followRedirect(request, status, response.headers.location, referer)
    }
  }

  /**
   * A final answer's value: its decoded body on success (or, `passing`, a document passed whole:
   * a `CheckedJson`, or a long one passed on as a `PassedDocument`), else its status error.
   * `no-op`: the answer itself, whatever its status.
   */
  async function answer({ response, target }: Final, onBytes?: (bytes: number) => void, passing = false): Promise<T> {
    if (decoders === undefined) return rawResponse(response) as T
    if (success(response.status)) {
      if (passing && whole !== undefined) return passBody(response, whole, target, onBytes) as Promise<T>
      return decodeBody(response, decoders, resolved.maxBodyBytes, target, onBytes)
    }
    const head = await bodyHead(response)
    throw statusError(response.status, target, head, resolved.successStatus, headerText(response.headers['content-type']), source)
  }

  /** The call as an interceptor takes it over (see `CallInterceptor`). */
  function intercepted(request: BackendRequest, signal: Cancellation, telemetry: CallTelemetry | undefined): InterceptedCall {
    return {
      method: request.method,
      url: request.origin + request.path,
      headers: request.headers,
      decoding,
      send: async (headers) => {
        const final = await send(headers === undefined ? request : { ...request, headers: { ...request.headers, ...headers } }, signal, telemetry)
        const { status } = final.response
        return {
          status,
          headers: final.response.headers,
          url: final.target,
          ok: success(status),
          read: async () => {
            let bytes = 0
            const value = await answer(final, (size) => (bytes = size))
            return { value, bytes }
          },
          discard: () => final.response.discard(),
        }
      },
    }
  }

  return (req) =>
    new Observable<T>((subscriber) => {
      const controller = new Cancellation()
      const telemetry = req.context.telemetry?.call(telemetryKey, describe)
      let settled = false
      let passed: PassedDocument | undefined
      perform(req, controller, telemetry).then(
        (value) => {
          settled = true
          telemetry?.delivered()
          // Unsubscribed while the head was on its way (the abort came too late): nobody owns the body.
          if (raw && subscriber.closed) return dropRawResponse(value as RawResponse)
          if (passAbove !== undefined && value instanceof PassedDocument) {
            if (subscriber.closed) return value.abort()
            passed = value
          }
          subscriber.next(value)
          subscriber.complete()
        },
        (error: unknown) => {
          settled = true
          telemetry?.failed(error)
          // Whatever is still open for this call (a body half read) goes now.
          controller.abort()
          subscriber.error(error)
        },
      )
      return () => {
        // A passed document is taken by its renderer while the value is delivered, before the
        // call ends here; one that nobody took (its answer failed, or came too late) is let go.
        if (settled) return passed?.drop()
        controller.abort()
        telemetry?.aborted()
      }
    })
}

/** A call's final answer (after redirects) and the URL that gave it. */
interface Final {
  readonly response: BackendResponse
  readonly target: string
}

/** The body decoder of an encoding that reads the body (every one but `no-op`), built once. */
function decoderFor(options: ResolvedOptions): DecoderFactory<unknown> {
  const { allow, deny, maxNestingDepth } = options
  switch (options.encoding) {
    case 'string':
      return stringDecoder()
    case 'safejson':
      return safeJsonDecoder({ allow, deny, maxNestingDepth })
    case 'xml':
      return xmlDecoder({ allow, deny, maxNestingDepth })
    case 'rss':
      return rssDecoder({ allow, deny })
    default:
      return jsonDecoder({ allow, deny, keepSource: options.verbatim, maxNestingDepth })
  }
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value
}

/** Picks the transport per origin (a redirect may change it), each built once. */
function transportFor(options: ResolvedOptions): (origin: string) => Exchange {
  const http1 = http1Exchange(options.tls)
  if (options.http2 === false) return () => http1
  const http2 = http2Exchange(options.http2, options.tls)
  if (options.http2 === true) return () => http2
  return (origin) => (origin.startsWith('https:') ? http2 : http1)
}
