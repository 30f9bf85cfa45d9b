import { DEFAULT_MAX_NESTING_DEPTH, NestingTooDeepError } from './depth.js'

/**
 * Bodies of a document passed whole up to this many bytes take the buffered path (concatenated,
 * `JSON.parse`d, their bytes sent at once with their length); longer ones, or ones of unknown
 * length that grow past it, are checked by {@link jsonChecker} while their bytes go on to the
 * client. From perf/pass-threshold.ts (Node 20, this machine, shared; a page of records):
 *
 *            CPU per body, 64 KiB chunks          through a gateway (nginx, wrk -c50), CPU per request
 *   body     JSON.parse   checked   tokenizer     today     checked        req/s today / checked
 *   16 KiB     105 us      77 us     222 us       332 us    315 us (0.95x)   2,753 / 2,712
 *   64 KiB     441 us     275 us     514 us       868 us    752 us (0.87x)   1,089 / 1,207
 *   256 KiB    2.9 ms     1.5 ms     4.0 ms       4.0 ms    2.2 ms (0.54x)     221 / 418
 *   1 MiB       11 ms     6.9 ms      12 ms        69 ms     11 ms (0.16x)      17 / 85
 *   16 MiB     185 ms      75 ms     148 ms
 *
 * ("today" past 1 MiB is the decoder's streaming parser, which builds the document to write it
 * again.) Up to 16 KiB both paths cost the same, a document is one socket read, and its length
 * helps the client; from 64 KiB the checked stream costs less, and it holds one chunk where the
 * buffered path holds the body, its text and its parsed value (+51 MiB per 16 MiB body, 8 at
 * once, against +4). The threshold is also how much of a document is checked before its answer
 * starts: a fault in its first 64 KiB still fails the request cleanly.
 */
export const PASS_STREAM_THRESHOLD = 64 * 1024

/** Checks one JSON document chunk by chunk, building nothing: see {@link jsonChecker}. */
export interface JsonChecker {
  /** Checks the next chunk; throws a `SyntaxError` (a `NestingTooDeepError` past the depth limit) at the first fault. */
  write(chunk: Uint8Array): void
  /** The body has ended: throws a `SyntaxError` unless it held exactly one complete JSON document. */
  end(): void
}

// Where the checker stands between two bytes.
const START = 0 // nothing yet but a byte order mark, maybe
const VALUE = 1 // a value must come (after `:` or `,` in an array)
const VALUE_OR_CLOSE = 2 // after `[`
const KEY = 3 // after `,` in an object
const KEY_OR_CLOSE = 4 // after `{`
const COLON = 5
const AFTER_VALUE = 6 // `,` or the container's close
const STRING = 7
const ESCAPE = 8 // after `\` in a string
const UNICODE = 9 // in the four hex digits of `\u`
const NUMBER = 10
const LITERAL = 11 // in `true`, `false`, `null`
const DONE = 12 // the document is whole: only whitespace may follow

// Where a number stands: what may come next.
const AFTER_MINUS = 0
const AFTER_ZERO = 1
const INTEGER = 2
const AFTER_POINT = 3
const FRACTION = 4
const AFTER_E = 5
const AFTER_E_SIGN = 6
const EXPONENT = 7

const OBJECT = 1
const ARRAY = 2

/** JSON's four whitespace bytes. */
const SPACE = new Uint8Array(256)
for (const byte of [0x20, 0x09, 0x0a, 0x0d]) SPACE[byte] = 1
/** Bytes that end a run of plain string content: `"`, `\` and the control characters. */
const STRING_STOP = new Uint8Array(256)
for (let byte = 0; byte < 0x20; byte++) STRING_STOP[byte] = 1
STRING_STOP[0x22] = 1
STRING_STOP[0x5c] = 1
const HEX = new Uint8Array(256)
for (const char of '0123456789abcdefABCDEF') HEX[char.charCodeAt(0)] = 1
/** What a backslash may escape: `" \ / b f n r t` (and `u`, apart). */
const SHORT_ESCAPE = new Uint8Array(256)
for (const char of '"\\/bfnrt') SHORT_ESCAPE[char.charCodeAt(0)] = 1
const TRUE = Buffer.from('true')
const FALSE = Buffer.from('false')
const NULL = Buffer.from('null')
const BOM = [0xef, 0xbb, 0xbf]

/** `bytes` without a leading UTF-8 byte order mark, which is not JSON: a view, no copy. */
export function withoutBom(bytes: Buffer): Buffer {
  return bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2] ? bytes.subarray(3) : bytes
}

/**
 * A checker of one JSON document as it streams: what `JSON.parse` and the nesting limit would say
 * of it, without building it. It reads the bytes themselves, RFC 8259's grammar as a state
 * machine that carries over from one chunk to the next (a chunk may end anywhere: inside a
 * string, an escape, a number), and throws at the first fault, in the chunk that holds it: a
 * `SyntaxError` naming the byte offset, or a `NestingTooDeepError` at the first container nested
 * deeper than `maxNestingDepth` levels, as the parsed path's walk (depth.ts). As `JSON.parse` of
 * the body read as UTF-8: a leading byte order mark is skipped, and bytes that are not UTF-8 pass
 * inside strings (the parse reads them as U+FFFD) and fail outside them. It keeps one byte per
 * open container, nothing else.
 *
 * Why not stream-json's tokenizer: it decodes the text and makes one token per value, which
 * costs about what `JSON.parse` of the whole body does (0.8 to 2.1x); this costs two fifths to
 * three quarters of it (figures above, from perf/pass-threshold.ts).
 *
 * @example
 * const check = jsonChecker()
 * check.write(Buffer.from('{"items":[1,'))
 * check.write(Buffer.from('2]}'))
 * check.end()                                   // a whole document: returns
 * jsonChecker().write(Buffer.from('{"a":1}x'))  // throws SyntaxError: unexpected byte at offset 7
 */
export function jsonChecker(maxNestingDepth = DEFAULT_MAX_NESTING_DEPTH): JsonChecker {
  let state = START
  let bom = 0
  let number = AFTER_MINUS
  let literal = TRUE
  let literalAt = 0
  let unicode = 0
  let inKey = false
  let depth = 0
  // the kind of each open container, grown as the document nests
  let open = new Uint8Array(64)
  // bytes of the chunks before this one, for the offsets errors name
  let offset = 0

  const fail = (at: number, what: string): never => {
    throw new SyntaxError(`${what} at offset ${offset + at} of the JSON document`)
  }
  const enter = (kind: number) => {
    if (++depth > maxNestingDepth) throw new NestingTooDeepError(maxNestingDepth)
    if (depth >= open.length) {
      const grown = new Uint8Array(open.length * 2)
      grown.set(open)
      open = grown
    }
    open[depth] = kind
    state = kind === OBJECT ? KEY_OR_CLOSE : VALUE_OR_CLOSE
  }
  /** A value ended: what its container (or the document) expects next. */
  const ended = () => (depth === 0 ? DONE : AFTER_VALUE)

  return {
    write(bytes) {
      const n = bytes.length
      let i = 0
      while (i < n) {
        const byte = bytes[i]!
        switch (state) {
          case STRING: {
            // the bulk of a document: a tight scan for the end of plain content
            while (i < n && STRING_STOP[bytes[i]!] === 0) i++
            if (i === n) break
            const stop = bytes[i]!
            if (stop === 0x22) {
              state = inKey ? COLON : ended()
              inKey = false
            } else if (stop === 0x5c) state = ESCAPE
            else fail(i, 'a control character in a string')
            i++
            break
          }
          case ESCAPE:
            if (byte === 0x75) {
              state = UNICODE
              unicode = 0
            } else if (SHORT_ESCAPE[byte] === 1) state = STRING
            else fail(i, 'an unknown escape in a string')
            i++
            break
          case UNICODE:
            if (HEX[byte] === 0) fail(i, 'a \\u escape without four hex digits')
            if (++unicode === 4) state = STRING
            i++
            break
          case START:
            if (byte === BOM[bom]) {
              // a byte order mark, skipped as the buffered path skips it
              bom++
              if (bom === 3) state = VALUE
              i++
              break
            }
            if (bom > 0) fail(i, 'a broken byte order mark')
            state = VALUE
          // falls through: the first byte of the document
          case VALUE:
          case VALUE_OR_CLOSE:
            if (SPACE[byte] === 1) {
              i++
              break
            }
            i++
            if (byte === 0x22) state = STRING
            else if (byte === 0x7b) enter(OBJECT)
            else if (byte === 0x5b) enter(ARRAY)
            else if (byte === 0x2d || (byte >= 0x30 && byte <= 0x39)) {
              state = NUMBER
              number = byte === 0x2d ? AFTER_MINUS : byte === 0x30 ? AFTER_ZERO : INTEGER
            } else if (byte === 0x74 || byte === 0x66 || byte === 0x6e) {
              state = LITERAL
              literal = byte === 0x74 ? TRUE : byte === 0x66 ? FALSE : NULL
              literalAt = 1
            } else if (byte === 0x5d && state === VALUE_OR_CLOSE) {
              depth--
              state = ended()
            } else fail(i - 1, 'an unexpected byte where a value belongs')
            break
          case NUMBER:
            if (continuesNumber(byte)) i++
            // anything else ends the number, and is read again as what follows it
            else if (number === INTEGER || number === AFTER_ZERO || number === FRACTION || number === EXPONENT) state = ended()
            else fail(i, 'a number without digits')
            break
          case LITERAL:
            if (byte !== literal[literalAt]) fail(i, 'an unknown word')
            i++
            if (++literalAt === literal.length) state = ended()
            break
          case AFTER_VALUE:
            i++
            if (SPACE[byte] === 1) break
            if (byte === 0x2c) state = open[depth] === OBJECT ? KEY : VALUE
            else if (byte === (open[depth] === OBJECT ? 0x7d : 0x5d)) {
              depth--
              state = ended()
            } else fail(i - 1, 'an unexpected byte after a value')
            break
          case KEY:
          case KEY_OR_CLOSE:
            i++
            if (SPACE[byte] === 1) break
            if (byte === 0x22) {
              state = STRING
              inKey = true
            } else if (byte === 0x7d && state === KEY_OR_CLOSE) {
              depth--
              state = ended()
            } else fail(i - 1, 'an unexpected byte where a key belongs')
            break
          case COLON:
            i++
            if (SPACE[byte] === 1) break
            if (byte === 0x3a) state = VALUE
            else fail(i - 1, 'an unexpected byte where a colon belongs')
            break
          default:
            // DONE: the document is whole
            if (SPACE[byte] === 0) fail(i, 'an unexpected byte after the document')
            i++
        }
      }
      offset += n
    },
    end() {
      if (state === NUMBER && depth === 0 && (number === INTEGER || number === AFTER_ZERO || number === FRACTION || number === EXPONENT)) state = DONE
      if (state !== DONE) throw new SyntaxError(`Unexpected end of JSON input at offset ${offset}`)
    },
  }

  /** Whether `byte` continues the number so far, moving it on. */
  function continuesNumber(byte: number): boolean {
    const digit = byte >= 0x30 && byte <= 0x39
    switch (number) {
      case AFTER_MINUS:
        if (!digit) return false
        number = byte === 0x30 ? AFTER_ZERO : INTEGER
        return true
      case INTEGER:
        if (digit) return true
      // falls through: a fraction or an exponent may follow
      case AFTER_ZERO:
        if (byte === 0x2e) number = AFTER_POINT
        else if (byte === 0x65 || byte === 0x45) number = AFTER_E
        else return false
        return true
      case AFTER_POINT:
        if (!digit) return false
        number = FRACTION
        return true
      case FRACTION:
        if (digit) return true
        if (byte !== 0x65 && byte !== 0x45) return false
        number = AFTER_E
        return true
      case AFTER_E:
        if (byte === 0x2b || byte === 0x2d) {
          number = AFTER_E_SIGN
          return true
        }
      // falls through: digits may follow at once
      case AFTER_E_SIGN:
        if (!digit) return false
        number = EXPONENT
        return true
      default:
        // EXPONENT
        return digit
    }
  }
}
