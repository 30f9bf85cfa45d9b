import type { ConnectionOptions } from 'node:tls'
import { DEFAULT_MAX_NESTING_DEPTH } from '../codec/depth.js'
import { ErrorCodes, RxgateError } from '../errors.js'
import type { BackendTelemetryOptions } from '../telemetry/settings.js'

/** Client names allowed through: a list, or `'*'` for all (KrakenD's `input_headers` / `input_query_strings`). */
export type AllowList = readonly string[] | '*'

/** TLS settings for https backends: a private CA, a client certificate, or a development escape hatch. */
export type BackendTls = Pick<ConnectionOptions, 'ca' | 'cert' | 'key' | 'passphrase' | 'rejectUnauthorized' | 'servername'>

/**
 * How a backend's body is read (KrakenD's backend `encoding`):
 * - `json`: parsed (streamed past 1 MiB, pruned by `allow` / `deny` while streaming); any JSON value.
 * - `safejson`: parsed, then a non-object is wrapped as KrakenD does: an array under `collection`,
 *   any other value (string, number, boolean, null) under `content`; an object stays as it is.
 * - `xml`: parsed into an object the way KrakenD's decoder (mxj) does: the root element is the one
 *   key, attributes are `-name` keys, text beside attributes or children is `#text`, repeated
 *   elements become arrays, every value is a string (no number guessing).
 * - `rss`: an RSS, Atom or JSON Feed document, read as KrakenD's decoder (gofeed) does, into
 *   `{ title, description, items, author, categories, ..., type }` (see `rssDecoder`).
 * - `string`: the body as UTF-8 text. KrakenD shows it as `{ "content": text }`; the transport
 *   emits the bare string and leaves wrapping to the pipeline (`wrap('content')`).
 * - `no-op`: nothing is read: the call emits a {@link RawResponse} as soon as the head arrives,
 *   whatever its status, and its body streams on untouched (no decoding, no size limit).
 */
export type BackendEncoding = 'json' | 'safejson' | 'xml' | 'rss' | 'string' | 'no-op'

const ENCODINGS: ReadonlySet<string> = new Set<BackendEncoding>(['json', 'safejson', 'xml', 'rss', 'string', 'no-op'])

/** The encodings whose decoded value `allow` / `deny` can prune. */
const PRUNABLE: ReadonlySet<string> = new Set<BackendEncoding>(['json', 'safejson', 'xml', 'rss'])

/** How one backend is called. Everything here is compiled once, when the backend is created. */
export interface BackendOptions {
  /**
   * How the calls report when their gateway has telemetry (every call does then): the backend's
   * `telemetry/opentelemetry` block, and its names when the URL's own are not the ones to report
   * (a file's `url_pattern`, its hosts joined by `_`). Default: the URL's path template and origin.
   */
  readonly telemetry?: { readonly urlPattern?: string; readonly host?: string; readonly options?: BackendTelemetryOptions }
  /** The backend request's method. Default `'GET'`: the backend's own, not the client's (as KrakenD). */
  readonly method?: string
  /**
   * Client headers to forward (case-insensitive), or `'*'`. Default: none (zero trust). Never copied,
   * even with `'*'`: hop-by-hop headers (`connection`, `keep-alive`, `transfer-encoding`, `te`,
   * `upgrade`, ...), `host`, `content-length`, `accept-encoding` (the transport decodes the body, so it
   * negotiates compression itself) and `x-forwarded-*` (computed). `content-type` is sent with a
   * forwarded body; `user-agent` is `rxgate/<version>` unless allowed here and sent by the client.
   */
  readonly headers?: AllowList
  /** Client query keys to forward (case-sensitive), or `'*'`. Default: none. Keys written in the URL template win. */
  readonly query?: AllowList
  /**
   * Dot paths to keep (`items.id`). With `json`, pruned while streaming, so the rest is never built;
   * with `safejson`, `xml` and `rss`, applied to the decoded value (wrapper included: `collection.id`).
   */
  readonly allow?: readonly string[]
  /** Dot paths to remove, applied after `allow`; same encodings as `allow`. */
  readonly deny?: readonly string[]
  /** How to read the body; default `'json'`. See {@link BackendEncoding}. */
  readonly encoding?: BackendEncoding
  /**
   * HTTP/2 through http2-wrapper. `true` forces it: h2c (prior knowledge) on `http:` origins, h2 on
   * `https:` ones. `'auto'`: `https:` origins negotiate by ALPN (h2 when offered, else HTTP/1.1);
   * `http:` ones stay HTTP/1.1. Default `false`: HTTP/1.1 through a pooled undici client.
   */
  readonly http2?: boolean | 'auto'
  /**
   * Hard limit on the (decoded) body size; past it the request is aborted with `BACKEND_TOO_LARGE`.
   * Default 128 MiB. Not applied to `no-op`, whose body is streamed through, never held.
   */
  readonly maxBodyBytes?: number
  /**
   * How deeply the decoded body may nest (`json`, `safejson`, `xml`): `[]` and `{}` are one level,
   * `[[]]` two. A deeper document fails with `BACKEND_TOO_DEEP` instead of reaching the pipeline,
   * where walking it (`pick`, an encoder, user code) could exhaust the stack. Default 10,000, the
   * limit of Go's encoding/json and so of KrakenD. `json` refuses a streamed body as soon as it
   * passes the limit; `xml` never reads more than 100 levels, whatever this says.
   */
  readonly maxNestingDepth?: number
  /**
   * Statuses that count as success. Default `[200, 201]`, as KrakenD; anything else fails with
   * `BACKEND_STATUS`. With `no-op` every status is an answer; this list only says which redirects
   * are answers rather than followed.
   */
  readonly successStatus?: readonly number[]
  /**
   * Redirects (301, 302, 303, 307, 308) followed before failing with `BACKEND_REDIRECT`. Default 10.
   * A status listed in `successStatus` is an answer, not followed.
   */
  readonly maxRedirects?: number
  /** TLS settings for `https:` origins (e.g. `ca` for a private CA, `rejectUnauthorized: false` in development). */
  readonly tls?: BackendTls
  /**
   * `json` only: a body parsed whole (neither pruned nor streamed) remembers its bytes, so that a
   * renderer built with `verbatim` sends those bytes instead of serializing the value again. Only
   * for a pipeline that passes the value on untouched: a value changed in place on its way would
   * be sent as it came. Default false.
   */
  readonly verbatim?: boolean
  /**
   * `json` with `verbatim` only: the success body is checked (syntax, nesting, size), never
   * parsed. One declared longer than this many bytes, or of unknown length and grown past it: the
   * call emits a `PassedDocument`, the body still arriving, checked chunk by chunk as a renderer
   * built with `verbatim` writes it through to the client; a shorter one: a `CheckedJson`, its
   * bytes, once checked whole. Only for a pipeline that hands its one backend's value to the
   * renderer untouched and at once. A file's endpoint that passes its document whole sets
   * `PASS_STREAM_THRESHOLD` (lib/codec/json-check.ts). Default: never.
   */
  readonly streamVerbatimAbove?: number
}

export const DEFAULT_MAX_BODY_BYTES = 128 * 1024 * 1024
export const DEFAULT_SUCCESS_STATUS: readonly number[] = [200, 201]
export const DEFAULT_MAX_REDIRECTS = 10

/** The options with defaults applied and checked, so a bad definition fails at start-up, not per request. */
export interface ResolvedOptions {
  readonly method: string
  readonly headers: AllowList
  readonly query: AllowList
  readonly allow: readonly string[]
  readonly deny: readonly string[]
  readonly encoding: BackendEncoding
  readonly http2: boolean | 'auto'
  readonly maxBodyBytes: number
  readonly maxNestingDepth: number
  readonly successStatus: readonly number[]
  readonly maxRedirects: number
  readonly tls: BackendTls | undefined
  readonly verbatim: boolean
  readonly streamVerbatimAbove: number | undefined
}

export function resolveOptions(url: string, options: BackendOptions = {}): ResolvedOptions {
  const bad = (what: string) =>
    new RxgateError(ErrorCodes.BAD_BACKEND, `backend ${url}: ${what}`, { url })
  const method = (options.method ?? 'GET').toUpperCase()
  if (!/^[A-Z]+$/.test(method)) throw bad(`method ${JSON.stringify(options.method)} is not an HTTP method`)
  const encoding = options.encoding ?? 'json'
  if (!ENCODINGS.has(encoding)) throw bad(`encoding ${JSON.stringify(encoding)} is not one of ${[...ENCODINGS].join(', ')}`)
  const allow = options.allow ?? []
  const deny = options.deny ?? []
  if (!PRUNABLE.has(encoding) && (allow.length > 0 || deny.length > 0)) {
    throw bad(`allow and deny need a decoded body (${[...PRUNABLE].join(', ')}), not ${encoding}`)
  }
  for (const path of [...allow, ...deny]) {
    if (typeof path !== 'string' || path === '' || path.split('.').includes('')) {
      throw bad(`field path ${JSON.stringify(path)} is not a dot path like "items.id"`)
    }
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 0) throw bad('maxBodyBytes must be a whole number of bytes')
  const maxNestingDepth = options.maxNestingDepth ?? DEFAULT_MAX_NESTING_DEPTH
  if (!Number.isSafeInteger(maxNestingDepth) || maxNestingDepth < 1) throw bad('maxNestingDepth must be a whole number of levels, 1 or more')
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS
  if (!Number.isSafeInteger(maxRedirects) || maxRedirects < 0) throw bad('maxRedirects must be a whole number, 0 or more')
  const successStatus = options.successStatus ?? DEFAULT_SUCCESS_STATUS
  for (const status of successStatus) {
    if (!Number.isInteger(status) || status < 100 || status > 599) throw bad(`success status ${status} is not an HTTP status`)
  }
  const streamAbove = options.streamVerbatimAbove
  if (streamAbove !== undefined && (!Number.isSafeInteger(streamAbove) || streamAbove < 0)) throw bad('streamVerbatimAbove must be a whole number of bytes')
  const http2 = options.http2 ?? false
  if (http2 !== true && http2 !== false && http2 !== 'auto') throw bad(`http2 must be true, false or 'auto'`)
  return {
    method,
    headers: allowList(options.headers, bad, 'headers'),
    query: allowList(options.query, bad, 'query'),
    allow,
    deny,
    encoding,
    http2,
    maxBodyBytes,
    maxNestingDepth,
    successStatus,
    maxRedirects,
    tls: options.tls,
    verbatim: options.verbatim === true && encoding === 'json',
    streamVerbatimAbove: options.verbatim === true && encoding === 'json' ? streamAbove : undefined,
  }
}

function allowList(list: AllowList | undefined, bad: (what: string) => Error, name: string): AllowList {
  if (list === undefined) return []
  if (list === '*') return '*'
  if (!Array.isArray(list) || list.some((item) => typeof item !== 'string' || item === '')) {
    throw bad(`${name} must be a list of names or '*'`)
  }
  return list.includes('*') ? '*' : list
}
