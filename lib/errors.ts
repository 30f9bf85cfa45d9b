/**
 * The catalogue of rxgate's errors. Every error the gateway produces has a stable code here and a
 * message that says what to do; logs and HTTP answers carry the code.
 */
export class RxgateError extends Error {
  override readonly name = 'RxgateError'
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra facts for logs and debugging: the backend status, the first bytes of a body, ... */
    readonly details: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

export const ErrorCodes = {
  /** A source missed its deadline; its subscription (and HTTP request) was cancelled. */
  TIMEOUT: 'RXGATE_ERR_TIMEOUT',
  /** A source completed without producing a value. */
  EMPTY: 'RXGATE_ERR_EMPTY',
  /** A source produced a non-object value where objects are merged; wrap it under a key. */
  NOT_AN_OBJECT: 'RXGATE_ERR_NOT_AN_OBJECT',
  /** A duration argument could not be read. */
  BAD_DURATION: 'RXGATE_ERR_BAD_DURATION',
  /** A backend answered with a status that does not count as success. */
  BACKEND_STATUS: 'RXGATE_ERR_BACKEND_STATUS',
  /** A backend body was not valid for its encoding (garbage JSON, ...). */
  BACKEND_DECODE: 'RXGATE_ERR_BACKEND_DECODE',
  /** A backend body was larger than the configured limit. */
  BACKEND_TOO_LARGE: 'RXGATE_ERR_BACKEND_TOO_LARGE',
  /** The connection to a backend failed, was reset or closed early. */
  BACKEND_NETWORK: 'RXGATE_ERR_BACKEND_NETWORK',
  /** Too many redirects, or a redirect without a location. */
  BACKEND_REDIRECT: 'RXGATE_ERR_BACKEND_REDIRECT',
  /** A URL template names a parameter the request does not have. */
  MISSING_PARAM: 'RXGATE_ERR_MISSING_PARAM',
  /** A route could not be registered (bad path, duplicate). */
  BAD_ROUTE: 'RXGATE_ERR_BAD_ROUTE',
  /** An endpoint pipeline failed as a whole (every source failed or it threw). */
  PIPELINE: 'RXGATE_ERR_PIPELINE',
  /** No route matches the request's path. */
  NOT_FOUND: 'RXGATE_ERR_NOT_FOUND',
  /** A route matches the path, but not for this method. */
  METHOD_NOT_ALLOWED: 'RXGATE_ERR_METHOD_NOT_ALLOWED',
  /** The client's request could not be read (bad percent-encoding, aborted body, ...). */
  BAD_REQUEST: 'RXGATE_ERR_BAD_REQUEST',
  /** The client's body was larger than the endpoint accepts. */
  REQUEST_TOO_LARGE: 'RXGATE_ERR_REQUEST_TOO_LARGE',
  /** The endpoint's pipeline did not answer before the endpoint's deadline. */
  ENDPOINT_TIMEOUT: 'RXGATE_ERR_ENDPOINT_TIMEOUT',
  /** An operator was created with an argument it cannot use (an empty key or path, a clashing mapping, ...). */
  BAD_ARGUMENT: 'RXGATE_ERR_BAD_ARGUMENT',
  /** A backend definition cannot be used (a malformed URL template, a bad option); fix the definition. */
  BAD_BACKEND: 'RXGATE_ERR_BAD_BACKEND',
  /** A source of a sequence was not called because an earlier one failed or the sequence's deadline passed. */
  SKIPPED: 'RXGATE_ERR_SKIPPED',
  /** A configuration file could not be read or parsed (missing, unreadable, bad JSON or YAML syntax). */
  CONFIG_READ: 'RXGATE_ERR_CONFIG_READ',
  /** A configuration does not validate; `details.problems` lists every problem with its JSON pointer. */
  CONFIG_INVALID: 'RXGATE_ERR_CONFIG_INVALID',
} as const

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes]

/** The code of any error: rxgate's own, or a generic one for foreign errors. */
export function errorCode(error: unknown): string {
  return error instanceof RxgateError ? error.code : 'RXGATE_ERR_UNKNOWN'
}
