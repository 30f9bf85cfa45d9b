import { Readable } from 'node:stream'
import type { BodySink, BodySource } from './exchange.js'

/**
 * A body source as a Node stream, for whoever needs one (a no-op answer piped to the client, a
 * compressed body piped through zlib), with backpressure both ways. Destroying the stream before
 * the body's end calls `abort`, which must stop the sender.
 */
export function toReadable(source: BodySource, abort: () => void): Readable {
  let ended = false
  const stream = new Readable({
    read() {
      source.resume()
    },
    destroy(error, callback) {
      if (!ended) abort()
      callback(error)
    },
  })
  source.read({
    data: (chunk) => stream.push(chunk),
    end: () => {
      ended = true
      stream.push(null)
    },
    error: (error) => stream.destroy(error as Error),
  })
  return stream
}

/**
 * A Node stream as a body source (an HTTP/2 response, a zlib stream). A stream that closes
 * before its end is a broken body.
 */
export function fromReadable(stream: Readable): BodySource {
  return {
    read(sink: BodySink) {
      const finish = () => {
        stream.off('data', onData)
        stream.off('end', onEnd)
        stream.off('error', onError)
        stream.off('close', onClose)
      }
      const onData = (chunk: Buffer) => {
        if (sink.data(chunk) === false) stream.pause()
      }
      const onEnd = () => {
        finish()
        sink.end()
      }
      const onError = (error: unknown) => {
        finish()
        sink.error(error)
      }
      const onClose = () => {
        if (!stream.readableEnded) onError(Object.assign(new Error('the body ended before its end'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }))
      }
      stream.on('data', onData)
      stream.on('end', onEnd)
      stream.on('error', onError)
      stream.on('close', onClose)
    },
    resume() {
      stream.resume()
    },
  }
}
