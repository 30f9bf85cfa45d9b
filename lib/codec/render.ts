import type { Failed } from '../../operators/part.js'
import { setField } from '../../operators/fields.js'
import { isMerged } from '../../operators/merge.js'
import { PassedDocument } from '../backend/passed-document.js'
import { dropRawResponse, isRawResponse, takePushedBody, type RawResponse } from '../backend/raw.js'
import type { OutputEncoding } from '../config/types.js'
import { ErrorCodes, RxgateError, errorPolicy } from '../errors.js'
import { errorReply, type PushedBody, type Render, type Reply } from '../router/reply.js'
import { stringifyJson, type Encode } from './json-encoder.js'
import { sourceOf } from './json-source.js'
import { CheckedJson } from './checked-json.js'
import { negotiator, type Format } from './negotiate.js'
import { xmlEncoder } from './xml-encoder.js'
import { yamlEncoder } from './yaml-encoder.js'

/**
 * How an endpoint answers, beyond its encoding: KrakenD's `cache_ttl`, the router's
 * `return_error_msg`, and the backends' `backend/http` options `return_error_code` and
 * `return_error_details`. Everything is read once, when the renderer is built.
 */
export interface RenderOptions {
  /** Seconds. Adds `Cache-Control: public, max-age=N` to complete 200 answers, never to partial or failed ones. */
  readonly cacheTtl?: number
  /** The endpoint's JSON encoder (compiled by `jsonEncoder` for its output shape). Default `stringifyJson`: `JSON.stringify` at any depth. */
  readonly encode?: Encode
  /**
   * The router's `return_error_msg`: when no source delivered, the answer carries the errors as
   * KrakenD writes them, as plain text, one line per failed source (a bad status reads
   * `invalid status code 503 [GET /users/{id}]: http://users:8080/users/1`, as in Lura). Off, a
   * client never reads an error's text: it gets a JSON error with the code and a fixed message.
   * With `returnErrorCode`, the backend's own body instead (see there).
   */
  readonly returnErrorMsg?: boolean
  /**
   * `return_error_code` (meant for one-backend endpoints): when nothing was delivered and the one
   * failed source failed on its status (`BACKEND_STATUS`), the client gets that status (404, 403,
   * ...) instead of 500: with an empty body, or with `returnErrorMsg` the backend's body (up to
   * 64 KiB) and its Content-Type. Any other failure stays as the error policy says.
   */
  readonly returnErrorCode?: boolean
  /**
   * `return_error_details`: source name (its `fanOut` key) → alias. A source of this map that
   * failed on its status adds `error_<alias>: { http_status_code, http_body, http_body_encoding }`
   * (the backend's Content-Type, as Lura names it) to the answer, which
   * then is a 200 even when nothing else was delivered (incomplete all the same). Wins over
   * `returnErrorCode`, as in KrakenD. Other failures (timeouts, resets) add nothing.
   */
  readonly errorDetails?: ReadonlyMap<string, string>
  /**
   * JSON data that still has the bytes it was parsed from (a backend with `verbatim`) is sent as
   * those bytes, a backend's `CheckedJson` (`streamVerbatimAbove`) as its bytes, and its
   * `PassedDocument` written through as it arrives, chunked. Only for an endpoint whose pipeline
   * passes its one backend's value on untouched.
   */
  readonly verbatim?: boolean
}

/** Every encoding `renderFor` knows: KrakenD's output encodings, `xml` and `yaml` included. */
export type RenderEncoding = OutputEncoding | 'xml' | 'yaml'

const JSON_TYPE = 'application/json; charset=utf-8'
const TEXT_TYPE = 'text/plain; charset=utf-8'
const XML_TYPE = 'application/xml; charset=utf-8'
const YAML_TYPE = 'application/yaml; charset=utf-8'
/** A negotiated answer depends on the request's Accept: caches must key on it. */
const VARY: Reply['headers'] = Object.freeze({ Vary: 'Accept' })
const NONE: Reply['headers'] = Object.freeze({})

/** How an answer's data is written: its text (or bytes), and its headers made once (complete answers may be cached). */
interface Output {
  readonly write: (data: unknown) => string | Buffer | PushedBody
  readonly complete: Reply['headers']
  readonly partial: Reply['headers']
  /** For a failure's reply: only what holds whatever the body (`Vary`). */
  readonly bare: Reply['headers']
}

/**
 * Compiles an endpoint's renderer, once: from its pipeline's result (a `merge()` answer, plain
 * data, or a no-op backend's `RawResponse`) to the HTTP reply.
 *
 * - `json` (default, also for an unknown name, as KrakenD): the data as JSON.
 * - `json-collection`: a JSON array: the data when it is one, else its `collection` key (where
 *   `is_collection` and `safejson` put a backend's array), else `[]`.
 * - `string`: the data when it is a string, else its `content` key (where the `string` and
 *   `safejson` encodings put text) when that is a string, else empty; as `text/plain`.
 * - `xml`, `yaml`: the data in that format.
 * - `negotiate`: JSON, XML or YAML by the request's `Accept` (see `negotiator`), with `Vary: Accept`.
 * - `no-op`: the backend's answer as it came: its status, its headers less the hop-by-hop ones, its
 *   body streamed through (the reply owns it: `writeReply` writes it through or aborts it). Marked not
 *   completed, as KrakenD marks every no-op answer.
 *
 * Statuses, for all encodings but no-op's answers: 200 when at least one source delivered (the
 * completion header says whether all did). When none did (every source failed, or the pipeline
 * itself failed: the server hands its error over as an answer with nothing delivered), the error
 * policy of `lib/errors.ts` decides: the status of the one error (500 for every backend failure,
 * as KrakenD; 504 for the endpoint's deadline), or 500 for several, and a JSON error body with the
 * code and a message that names nothing internal, unless {@link RenderOptions} say otherwise.
 */
export function renderFor(encoding: RenderEncoding, options: RenderOptions = {}): Render {
  const { answer, failure } = compileStatusRules(options)
  if (encoding === 'no-op') return noopRender(failure)
  const cache = options.cacheTtl ? { 'Cache-Control': `public, max-age=${Math.floor(options.cacheTtl)}` } : NONE
  const vary = encoding === 'negotiate' ? VARY : NONE
  const output = (type: string, write: (data: unknown) => string | Buffer | PushedBody): Output => ({
    write,
    complete: Object.freeze({ ...vary, ...cache, 'Content-Type': type }),
    partial: Object.freeze({ ...vary, 'Content-Type': type }),
    bare: vary,
  })
  const serialize = options.encode ?? stringifyJson
  // a CheckedJson is a whole document already checked: its bytes are its JSON, whatever the renderer
  const encode: (data: unknown) => string | Buffer | PushedBody = options.verbatim
    ? (data) => (data instanceof PassedDocument ? data : data instanceof CheckedJson ? data.bytes : (sourceOf(data) ?? serialize(data)))
    : (data) => (data instanceof CheckedJson ? data.bytes : serialize(data))
  const json = output(JSON_TYPE, (data) => encode(data) ?? 'null')
  if (encoding === 'negotiate') {
    const outputs: Readonly<Record<Format, Output>> = {
      json,
      xml: output(XML_TYPE, xmlEncoder()),
      yaml: output(YAML_TYPE, yamlEncoder()),
    }
    const choose = negotiator()
    return (result, request) => answer(result, outputs[choose(request.headers.accept)])
  }
  const single =
    encoding === 'json-collection' ? output(JSON_TYPE, (data) => encode(collectionOf(data)))
    : encoding === 'string' ? output(TEXT_TYPE, contentOf)
    : encoding === 'xml' ? output(XML_TYPE, xmlEncoder())
    : encoding === 'yaml' ? output(YAML_TYPE, yamlEncoder())
    : json
  return (result) => answer(result, single)
}

function collectionOf(data: unknown): unknown[] {
  if (Array.isArray(data)) return data
  if (isPlainObject(data) && Array.isArray(data.collection)) return data.collection
  return []
}

function contentOf(data: unknown): string {
  if (typeof data === 'string') return data
  if (isPlainObject(data) && typeof data.content === 'string') return data.content
  return ''
}

interface StatusRules {
  /** The reply for a pipeline's result, its data written by `output`. */
  readonly answer: (result: unknown, output: Output) => Reply
  /** The reply when no source delivered. */
  readonly failure: Failure
}

type Failure = (errors: readonly Failed[], headers: Reply['headers']) => Reply

/** The status rules shared by every encoding, compiled from the options. */
function compileStatusRules(options: RenderOptions): StatusRules {
  const { returnErrorMsg = false, returnErrorCode = false } = options
  const details = options.errorDetails?.size ? options.errorDetails : undefined

  const failure: Failure = (errors, headers) => {
    const only = errors.length === 1 ? statusDetails(errors[0]!.error) : undefined
    if (returnErrorCode && only) {
      if (!returnErrorMsg) return { status: only.status, headers, body: '', completed: false }
      return { status: only.status, headers: { ...headers, 'Content-Type': only.contentType ?? TEXT_TYPE }, body: only.body, completed: false }
    }
    const status = errors.length === 1 ? errorPolicy(errors[0]!.error).status : 500
    if (!returnErrorMsg) {
      const error = errors.length === 1 ? errors[0]!.error : new RxgateError(ErrorCodes.PIPELINE, 'no backend of this endpoint answered')
      return errorReply(error, headers, status)
    }
    const text = errors.length === 0 ? 'no backend of this endpoint answered' : errors.map(({ error }) => krakendText(error)).join('\n')
    return { status, headers: { ...headers, 'Content-Type': TEXT_TYPE }, body: text, completed: false }
  }

  const answer: StatusRules['answer'] = (result, output) => {
    if (!isMerged(result)) {
      if (isRawResponse(result)) return misplacedRaw(result)
      return { status: 200, headers: output.complete, body: output.write(result), completed: true }
    }
    let data = result.data
    if (details && result.errors.length > 0) {
      const added = withDetails(data, result.errors, details)
      if (added) data = added as typeof data
      else if (result.delivered === 0) return failure(result.errors, output.bare)
    } else if (!result.complete && result.delivered === 0) return failure(result.errors, output.bare)
    if (isRawResponse(data)) return misplacedRaw(data)
    const complete = result.complete
    return { status: 200, headers: complete ? output.complete : output.partial, body: output.write(data), completed: complete }
  }
  return { answer, failure }
}


/** The answer's data plus one `error_<alias>` key per source of `details` that failed on its status; undefined when none did. */
function withDetails(data: unknown, errors: readonly Failed[], details: ReadonlyMap<string, string>): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined
  for (const part of errors) {
    const alias = details.get(part.source)
    const status = alias === undefined ? undefined : statusDetails(part.error)
    if (!status) continue
    if (!out) {
      out = {}
      if (isPlainObject(data)) for (const key of Object.keys(data)) setField(out, key, data[key])
    }
    const error: Record<string, unknown> = { http_status_code: status.status, http_body: status.body }
    if (status.contentType) error.http_body_encoding = status.contentType
    setField(out, `error_${alias}`, error)
  }
  return out
}

interface StatusDetails {
  readonly status: number
  readonly body: string
  readonly contentType: string | undefined
}

/** What a `BACKEND_STATUS` error says of the backend's answer; undefined for any other error. */
function statusDetails(error: unknown): StatusDetails | undefined {
  if (!(error instanceof RxgateError) || error.code !== ErrorCodes.BACKEND_STATUS) return undefined
  const { status, body, contentType } = error.details
  if (typeof status !== 'number') return undefined
  return {
    status,
    body: typeof body === 'string' ? body : '',
    contentType: typeof contentType === 'string' ? contentType : undefined,
  }
}

/**
 * An error as KrakenD's `return_error_msg` writes it: Lura's own texts where rxgate's error has a
 * counterpart there (a bad status, a deadline), the message otherwise.
 */
function krakendText(error: unknown): string {
  if (!(error instanceof RxgateError)) return error instanceof Error ? error.message : String(error)
  if (error.code === ErrorCodes.TIMEOUT || error.code === ErrorCodes.ENDPOINT_TIMEOUT) return 'context deadline exceeded'
  const { status, url, method, urlPattern } = error.details
  if (error.code === ErrorCodes.BACKEND_STATUS && typeof method === 'string' && typeof urlPattern === 'string') {
    return `invalid status code ${String(status)} [${method} ${urlPattern}]: ${String(url)}`
  }
  return error.message
}

/**
 * A raw answer where data was expected (a no-op backend behind a data encoding): a configuration
 * mistake. Its body is let go, so the backend is not kept waiting, and the client gets a 500.
 */
function misplacedRaw(raw: RawResponse): Reply {
  dropRawResponse(raw)
  return errorReply(new RxgateError(ErrorCodes.PIPELINE, "a no-op backend's raw answer reached a data encoding: give the endpoint output_encoding no-op"))
}

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) describe one connection, not the answer: they are not
 * passed on. `transfer-encoding` goes too: the server frames the body again itself.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
])

function noopRender(failure: Failure): Render {
  return (result) => {
    let raw: unknown = result
    if (isMerged(result)) {
      if (!result.complete && result.delivered === 0) return failure(result.errors, NONE)
      raw = result.data
    }
    if (!isRawResponse(raw)) {
      return errorReply(new RxgateError(ErrorCodes.PIPELINE, 'a no-op endpoint needs a no-op backend: its pipeline gave data, not a raw answer'))
    }
    return { status: raw.status, headers: passHeaders(raw.headers), body: takePushedBody(raw) ?? raw.body, completed: false }
  }
}

/** The backend's headers less hop-by-hop ones, those named by its `Connection`, and HTTP/2 pseudo-headers. */
function passHeaders(headers: RawResponse['headers']): Record<string, string | readonly string[]> {
  const out: Record<string, string | readonly string[]> = {}
  const connection = headers.connection
  const named = connection ? new Set(String(connection).toLowerCase().split(',').map((name) => name.trim())) : undefined
  for (const name of Object.keys(headers)) {
    const value = headers[name]
    if (value === undefined || HOP_BY_HOP.has(name) || name.startsWith(':') || named?.has(name)) continue
    out[name] = value
  }
  return out
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
