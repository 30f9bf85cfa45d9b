import type { DecoderFactory } from './decoder.js'

/**
 * The `string` encoding: the body as UTF-8 text, as it came. The transport bounds its size
 * (`maxBodyBytes`), so buffering it whole is safe. KrakenD shows such a body as
 * `{ "content": text }`; this decoder returns the bare text and the pipeline wraps it, so that a
 * programmatic backend still gets plain text.
 */
export function stringDecoder(): DecoderFactory<string> {
  return () => {
    const chunks: Buffer[] = []
    let size = 0
    return {
      write(chunk) {
        chunks.push(chunk)
        size += chunk.length
      },
      end() {
        return chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, size).toString('utf8')
      },
    }
  }
}
