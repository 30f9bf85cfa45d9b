import type { ReloadOutcome } from './outcome.js'

/** The supervisor of `--workers N` to each worker: reload the file (SIGHUP, or its watch saw a change). */
export interface ReloadRequest {
  readonly rxgate: 'reload'
  /** Which of the supervisor's rounds, so that a late answer is not taken for a later round's. */
  readonly round: number
}

/** A worker's answer: what its reload did. */
export interface ReloadReply {
  readonly rxgate: 'reloaded'
  readonly round: number
  readonly outcome: ReloadOutcome
}

export function isReloadRequest(message: unknown): message is ReloadRequest {
  return (message as ReloadRequest | null)?.rxgate === 'reload' && typeof (message as ReloadRequest).round === 'number'
}

export function isReloadReply(message: unknown): message is ReloadReply {
  return (message as ReloadReply | null)?.rxgate === 'reloaded' && typeof (message as ReloadReply).round === 'number'
}
