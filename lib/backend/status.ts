import { ErrorCodes, RxgateError } from '../errors.js'

/** Whether a status counts as success. Compiled once from the backend's list. */
export type StatusPolicy = (status: number) => boolean

/** How much of a failed response's body an error carries: enough to see what went wrong. */
export const ERROR_BODY_BYTES = 512

export function compileStatusPolicy(success: readonly number[]): StatusPolicy {
  const set = new Set(success)
  return (status) => set.has(status)
}

/** `BACKEND_STATUS`, with the status, the URL and the first bytes of the body as text. */
export function statusError(status: number, url: string, head: Buffer, success: readonly number[]): RxgateError {
  return new RxgateError(
    ErrorCodes.BACKEND_STATUS,
    `backend ${url} answered ${status}, which is not a success status (${success.join(', ')}): ` +
      `fix the backend, or add ${status} to the backend's successStatus if it is a valid answer`,
    { status, url, body: head.toString('utf8') },
  )
}
