/**
 * A body decoder turns one backend response body, fed chunk by chunk as it arrives, into a value.
 * Both methods throw on a body that is not valid for the encoding; the transport turns that into
 * a `BACKEND_DECODE` error carrying the facts (url, status, first bytes).
 */
export interface BodyDecoder<T = unknown> {
  /** Takes the next chunk of the body. */
  write(chunk: Buffer): void
  /** The body has ended: returns the decoded value. */
  end(): T
}

/**
 * Made once per backend (everything that can be compiled is compiled here) and called once per
 * response. `length` is the body's declared length in bytes (`content-length`), when known.
 */
export type DecoderFactory<T = unknown> = (length: number | undefined) => BodyDecoder<T>
