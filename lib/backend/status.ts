import { StringDecoder } from 'node:string_decoder'
import { ErrorCodes, RxgateError } from '../errors.js'

/** Whether a status counts as success. Compiled once from the backend's list. */
export type StatusPolicy = (status: number) => boolean

/**
 * How much of a failed response's body its `BACKEND_STATUS` error carries. Enough for the HTTP
 * layer to forward a backend's error body whole (KrakenD's `return_error_code` with
 * `return_error_msg`, `return_error_details`): error bodies are short; a longer one is cut here.
 */
export const ERROR_BODY_BYTES = 64 * 1024

export function compileStatusPolicy(success: readonly number[]): StatusPolicy {
  const set = new Set(success)
  return (status) => set.has(status)
}

/** Which backend a status error is about, as KrakenD's error text names it: `[GET /users/{id}]`. */
export interface StatusErrorSource {
  readonly method: string
  /** The backend's URL template without its origin: `/users/{id}`. */
  readonly urlPattern: string
}

/**
 * `BACKEND_STATUS`, with what the HTTP layer needs to forward the backend's answer: `status`,
 * `contentType` (when the backend sent one), `body` (the first {@link ERROR_BODY_BYTES} as text,
 * never ending in a split character), the `url`, and the backend's `method` and `urlPattern`.
 */
export function statusError(
  status: number,
  url: string,
  head: Buffer,
  success: readonly number[],
  contentType?: string,
  source?: StatusErrorSource,
): RxgateError {
  return new RxgateError(
    ErrorCodes.BACKEND_STATUS,
    `backend ${url} answered ${status}, which is not a success status (${success.join(', ')}): ` +
      `fix the backend, or add ${status} to the backend's successStatus if it is a valid answer`,
    { status, url, ...(contentType === undefined ? {} : { contentType }), body: text(head), ...source },
  )
}

/** UTF-8 text of a head cut anywhere: a character split by the cut is left out, not mangled. */
function text(head: Buffer): string {
  return new StringDecoder('utf8').write(head)
}
