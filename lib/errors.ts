/**
 * The catalogue of rxgate's errors. Every error the gateway produces has a stable code here, a
 * message that says what to do, and a policy: the HTTP status it answers with when it ends a
 * request, and whether its message may be shown to a client. Logs carry the code and the whole
 * message; HTTP answers carry the code, and the message only when the policy says it is safe
 * (a backend's message names its URL, which a client must never see).
 */
export class RxgateError extends Error {
  override readonly name = 'RxgateError'
  /** Headers the answer carries when this error ends a request: `WWW-Authenticate` with a 401, `Retry-After` with a 429. */
  readonly headers: Readonly<Record<string, string>> | undefined
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra facts for logs and debugging: the backend status, the first bytes of a body, ... */
    readonly details: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown; headers?: Readonly<Record<string, string>> },
  ) {
    super(message, options)
    this.headers = options?.headers
  }
}

/**
 * What an error does to the request it ends: its HTTP status, and what a client is told. `expose`
 * true: the message itself (written by the gateway about the client's own request: safe); else
 * `client`, a fixed text that names nothing internal. `refusal`: the gateway's own answer to a
 * request it will not serve (a 401, a 429), no failure of its own: logged at debug level, the
 * access log line has its status.
 */
export type ErrorPolicy =
  | { readonly status: number; readonly expose: true; readonly refusal?: true }
  | { readonly status: number; readonly expose: false; readonly client: string }

const shown = (status: number): ErrorPolicy => ({ status, expose: true })
const refused = (status: number): ErrorPolicy => ({ status, expose: true, refusal: true })
const hidden = (status: number, client: string): ErrorPolicy => ({ status, expose: false, client })

const BACKEND_FAILED = 'a backend of this endpoint failed'
const MISCONFIGURED = 'the endpoint is misconfigured'

/**
 * Every code, its meaning and its policy. Backends fail with 500, as KrakenD answers them; the
 * renderer of an endpoint decides otherwise where the configuration says so (`return_error_code`).
 */
const CATALOGUE = {
  /** A source missed its deadline; its subscription (and HTTP request) was cancelled. */
  TIMEOUT: ['RXGATE_ERR_TIMEOUT', hidden(500, 'a backend of this endpoint did not answer in time')],
  /** A source completed without producing a value. */
  EMPTY: ['RXGATE_ERR_EMPTY', hidden(500, 'the endpoint produced no answer')],
  /** A source produced a non-object value where objects are merged; wrap it under a key. */
  NOT_AN_OBJECT: ['RXGATE_ERR_NOT_AN_OBJECT', hidden(500, BACKEND_FAILED)],
  /** A duration argument could not be read. */
  BAD_DURATION: ['RXGATE_ERR_BAD_DURATION', hidden(500, MISCONFIGURED)],
  /** A backend answered with a status that does not count as success. */
  BACKEND_STATUS: ['RXGATE_ERR_BACKEND_STATUS', hidden(500, BACKEND_FAILED)],
  /** A backend body was not valid for its encoding (garbage JSON, ...). */
  BACKEND_DECODE: ['RXGATE_ERR_BACKEND_DECODE', hidden(500, BACKEND_FAILED)],
  /** A backend document nests deeper than the limit (`max_nesting_depth`, 10,000 by default). */
  BACKEND_TOO_DEEP: ['RXGATE_ERR_BACKEND_TOO_DEEP', hidden(500, BACKEND_FAILED)],
  /** A backend body was larger than the configured limit. */
  BACKEND_TOO_LARGE: ['RXGATE_ERR_BACKEND_TOO_LARGE', hidden(500, BACKEND_FAILED)],
  /** The connection to a backend failed, was reset or closed early. */
  BACKEND_NETWORK: ['RXGATE_ERR_BACKEND_NETWORK', hidden(500, BACKEND_FAILED)],
  /** Too many redirects, or a redirect without a location. */
  BACKEND_REDIRECT: ['RXGATE_ERR_BACKEND_REDIRECT', hidden(500, BACKEND_FAILED)],
  /** A URL template names a parameter the request does not have. */
  MISSING_PARAM: ['RXGATE_ERR_MISSING_PARAM', hidden(500, MISCONFIGURED)],
  /** A route could not be registered (bad path, duplicate). */
  BAD_ROUTE: ['RXGATE_ERR_BAD_ROUTE', hidden(500, MISCONFIGURED)],
  /** An endpoint pipeline failed as a whole (every source failed or it errored). Its messages are the gateway's own. */
  PIPELINE: ['RXGATE_ERR_PIPELINE', shown(500)],
  /** The answer could not be encoded (a cyclic or BigInt value, an encoder that threw). */
  RENDER: ['RXGATE_ERR_RENDER', hidden(500, 'the answer could not be encoded')],
  /**
   * Something threw where nothing should: a user's operator, a teardown, an event handler. The
   * request it belongs to ends; the log has the stack. Also the code of any error not rxgate's own.
   */
  INTERNAL: ['RXGATE_ERR_INTERNAL', hidden(500, 'the gateway failed to answer this request')],
  /** No route matches the request's path. */
  NOT_FOUND: ['RXGATE_ERR_NOT_FOUND', shown(404)],
  /** A route matches the path, but not for this method. */
  METHOD_NOT_ALLOWED: ['RXGATE_ERR_METHOD_NOT_ALLOWED', shown(405)],
  /** The gateway is closing or closed (`close()`), and its handler still receives requests from the host app's server. */
  CLOSED: ['RXGATE_ERR_CLOSED', refused(503)],
  /** The client's request could not be read (bad percent-encoding, aborted body, ...). */
  BAD_REQUEST: ['RXGATE_ERR_BAD_REQUEST', refused(400)],
  /** The client's body was larger than the endpoint accepts. */
  REQUEST_TOO_LARGE: ['RXGATE_ERR_REQUEST_TOO_LARGE', refused(413)],
  /** The request has no valid credentials (a missing, malformed, expired or badly signed token). */
  UNAUTHORIZED: ['RXGATE_ERR_UNAUTHORIZED', refused(401)],
  /** The request's credentials are valid but not enough (roles, scopes), or the client is refused (a bot). */
  FORBIDDEN: ['RXGATE_ERR_FORBIDDEN', refused(403)],
  /** This client is over its own rate limit (`client_max_rate`), or sent nothing to count it by; `Retry-After` says when to come back. */
  TOO_MANY_REQUESTS: ['RXGATE_ERR_TOO_MANY_REQUESTS', refused(429)],
  /** All clients together are over the endpoint's or the gateway's rate limit (`max_rate`); `Retry-After` says when to come back. */
  RATE_LIMITED: ['RXGATE_ERR_RATE_LIMITED', refused(503)],
  /** A shared rate limit could not be checked (its Redis is unreachable) and `on_failure_allow` is off. */
  RATE_LIMIT_UNAVAILABLE: ['RXGATE_ERR_RATE_LIMIT_UNAVAILABLE', hidden(503, 'the rate limit could not be checked: retry later')],
  /** A backend was not called: it is over its own rate limit (`qos/ratelimit/proxy`). A backend failure like the others (500, as KrakenD answers it). */
  BACKEND_RATE_LIMITED: ['RXGATE_ERR_BACKEND_RATE_LIMITED', hidden(500, BACKEND_FAILED)],
  /** The request's host is not one of `security/http`'s `allowed_hosts`: a 500, as KrakenD (unrolled/secure) answers it. */
  BAD_HOST: ['RXGATE_ERR_BAD_HOST', refused(500)],
  /** A plugin or middleware could not be loaded or set up; fix the configuration or the module. */
  BAD_PLUGIN: ['RXGATE_ERR_BAD_PLUGIN', hidden(500, MISCONFIGURED)],
  /** The endpoint's pipeline did not answer before the endpoint's deadline. */
  ENDPOINT_TIMEOUT: ['RXGATE_ERR_ENDPOINT_TIMEOUT', shown(504)],
  /** An operator was created with an argument it cannot use (an empty key or path, a clashing mapping, ...). */
  BAD_ARGUMENT: ['RXGATE_ERR_BAD_ARGUMENT', hidden(500, MISCONFIGURED)],
  /** A backend definition cannot be used (a malformed URL template, a bad option); fix the definition. */
  BAD_BACKEND: ['RXGATE_ERR_BAD_BACKEND', hidden(500, MISCONFIGURED)],
  /** A source of a sequence was not called because an earlier one failed or the sequence's deadline passed. */
  SKIPPED: ['RXGATE_ERR_SKIPPED', hidden(500, BACKEND_FAILED)],
  /** A configuration file could not be read or parsed (missing, unreadable, bad JSON or YAML syntax). */
  CONFIG_READ: ['RXGATE_ERR_CONFIG_READ', hidden(500, MISCONFIGURED)],
  /** A configuration does not validate; `details.problems` lists every problem with its JSON pointer. */
  CONFIG_INVALID: ['RXGATE_ERR_CONFIG_INVALID', hidden(500, MISCONFIGURED)],
  /** An answer could not be signed (`auth/signer`): its key could not be loaded or used. */
  SIGNING: ['RXGATE_ERR_SIGNING', hidden(500, 'the answer could not be signed')],
  /** A backend's OAuth2 token (`auth/client-credentials`) could not be obtained from its token endpoint. */
  BACKEND_TOKEN: ['RXGATE_ERR_BACKEND_TOKEN', hidden(500, BACKEND_FAILED)],
  /**
   * A backend was not called: its circuit breaker (`qos/circuit-breaker`) is open after repeated
   * failures, or half-open with its one trial call still running. A backend failure like the
   * others (500, as KrakenD answers it), known by its code.
   */
  CIRCUIT_OPEN: ['RXGATE_ERR_CIRCUIT_OPEN', hidden(500, 'a backend of this endpoint is not called for a while after repeated failures')],
} as const satisfies Record<string, readonly [`RXGATE_ERR_${string}`, ErrorPolicy]>

type Catalogue = typeof CATALOGUE

/** Every code by name: `ErrorCodes.TIMEOUT` is `'RXGATE_ERR_TIMEOUT'`. */
export const ErrorCodes = Object.fromEntries(Object.entries(CATALOGUE).map(([name, [code]]) => [name, code])) as {
  readonly [K in keyof Catalogue]: Catalogue[K][0]
}

export type ErrorCode = Catalogue[keyof Catalogue][0]

const POLICIES: ReadonlyMap<string, ErrorPolicy> = new Map(Object.values(CATALOGUE).map(([code, policy]) => [code, policy]))

/** The code of any error: rxgate's own, or `RXGATE_ERR_INTERNAL` for one that is not. Always a code of the catalogue. */
export function errorCode(error: unknown): ErrorCode {
  return error instanceof RxgateError && POLICIES.has(error.code) ? error.code : ErrorCodes.INTERNAL
}

/** The policy of any error (that of `INTERNAL` for one that is not rxgate's own). */
export function errorPolicy(error: unknown): ErrorPolicy {
  return POLICIES.get(errorCode(error))!
}

/** Whether an error is a refusal of the request (see {@link ErrorPolicy}), not a failure to serve it. */
export function isRefusal(error: unknown): boolean {
  const policy = errorPolicy(error)
  return policy.expose && policy.refusal === true
}

/** What a client may read of an error: its message when the policy exposes it, else the code's fixed text. */
export function clientMessage(error: unknown): string {
  const policy = errorPolicy(error)
  return policy.expose ? (error as RxgateError).message : policy.client
}
