import type { DecoderFactory } from './decoder.js'

/**
 * The `string` encoding: the body as UTF-8 text, as it came. The transport bounds its size
 * (`maxBodyBytes`), so buffering it whole is safe.
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
