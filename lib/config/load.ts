import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import { parseDocument } from 'yaml'
import { ErrorCodes, RxgateError } from '../errors.js'

/**
 * Reads a configuration file, JSON or YAML by its extension (`.json`, `.yaml`, `.yml`); any other
 * extension is tried as JSON, then as YAML. Throws `CONFIG_READ` with the line and column of a
 * syntax error, so a typo is found without bisecting the file.
 */
export async function readConfig(path: string): Promise<unknown> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw readError(path, describeFsError(error), {}, error)
  }
  return parseConfig(text, path)
}

/** Parses configuration text; `name` gives the format by its extension and names the source in errors. */
export function parseConfig(text: string, name: string): unknown {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text
  const extension = extname(name).toLowerCase()
  if (extension === '.json') return unwrap(parseJson(source), name)
  if (extension === '.yaml' || extension === '.yml') return unwrap(parseYaml(source), name)
  const json = parseJson(source)
  if (json.ok) return json.value
  const yaml = parseYaml(source)
  if (yaml.ok) return yaml.value
  // a file that looks like JSON gets the JSON error, which is the more precise one there
  return unwrap(/^\s*[[{]/.test(source) ? json : yaml, name)
}

type Parsed =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly what: string; readonly reason: string; readonly line?: number; readonly column?: number }

function unwrap(parsed: Parsed, name: string): unknown {
  if (parsed.ok) return parsed.value
  const where = parsed.line === undefined ? '' : ` at line ${parsed.line}, column ${parsed.column}`
  throw readError(name, `${parsed.what}${where}: ${parsed.reason}`, { line: parsed.line, column: parsed.column })
}

function parseJson(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch (error) {
    const message = (error as Error).message
    const { line, column } = jsonErrorPosition(message, text)
    return { ok: false, what: 'invalid JSON', reason: jsonErrorReason(message), line, column }
  }
}

function parseYaml(text: string): Parsed {
  const document = parseDocument(text)
  const error = document.errors[0]
  if (error) {
    const position = error.linePos?.[0]
    const reason = error.message.split('\n', 1)[0]!.replace(/ at line \d+, column \d+:?$/, '')
    return { ok: false, what: 'invalid YAML', reason, line: position?.line, column: position?.col }
  }
  try {
    // the alias limit stops "billion laughs" documents from expanding without bound
    return { ok: true, value: document.toJS({ maxAliasCount: 100 }) }
  } catch (failure) {
    return { ok: false, what: 'invalid YAML', reason: (failure as Error).message }
  }
}

/**
 * The line and column (1-based) of a `JSON.parse` error. V8 says `(line L column C)` in newer
 * versions, `at position N` in older ones, and sometimes neither (`Unexpected token '}', "..." is
 * not valid JSON` on Node 20): then the text is scanned for the first offending character.
 */
export function jsonErrorPosition(message: string, text: string): { line: number; column: number } {
  const lineColumn = /\(line (\d+) column (\d+)\)/.exec(message)
  if (lineColumn) return { line: Number(lineColumn[1]), column: Number(lineColumn[2]) }
  const position = /at position (\d+)/.exec(message)
  return lineAndColumn(text, position ? Number(position[1]) : firstJsonError(text))
}

/** V8's reason without the position or the quoted excerpt of the source, which can be long. */
function jsonErrorReason(message: string): string {
  return message
    .replace(/, (\.\.\.)?".*"(\.\.\.)? is not valid JSON$/s, '')
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/\s*\(line \d+ column \d+\)/, '')
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)))
  const lines = before.split('\n')
  return { line: lines.length, column: lines.at(-1)!.length + 1 }
}

class JsonStop {
  constructor(readonly at: number) {}
}

const ESCAPES = '"\\/bfnrtu'

/** The offset of the first character that makes `text` invalid JSON (its length if it ends too soon). */
export function firstJsonError(text: string): number {
  let at = 0
  const stop = (): never => {
    throw new JsonStop(at)
  }
  const space = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at]!)) at++
  }
  const expect = (char: string) => {
    if (text[at] !== char) stop()
    at++
  }
  const string = () => {
    expect('"')
    for (;;) {
      if (at >= text.length) stop()
      const char = text[at]!
      if (char === '"') return void at++
      if (char < ' ') stop()
      if (char === '\\') {
        at++
        if (!ESCAPES.includes(text[at] ?? 'x')) stop()
        if (text[at] === 'u') {
          for (let digit = 0; digit < 4; digit++) {
            at++
            if (!/[0-9a-fA-F]/.test(text[at] ?? '')) stop()
          }
        }
      }
      at++
    }
  }
  const value = (): void => {
    space()
    const char = text[at]
    if (char === '{') {
      at++
      space()
      if (text[at] === '}') return void at++
      for (;;) {
        space()
        string()
        space()
        expect(':')
        value()
        space()
        if (text[at] === '}') return void at++
        expect(',')
      }
    }
    if (char === '[') {
      at++
      space()
      if (text[at] === ']') return void at++
      for (;;) {
        value()
        space()
        if (text[at] === ']') return void at++
        expect(',')
      }
    }
    if (char === '"') return string()
    for (const word of ['true', 'false', 'null']) {
      if (char === word[0]) {
        for (const letter of word) expect(letter)
        return
      }
    }
    number()
  }
  const digits = () => {
    if (!/[0-9]/.test(text[at] ?? '')) stop()
    while (/[0-9]/.test(text[at] ?? '')) at++
  }
  // stops where V8 does: after a lone `-`, `.` or `e`, at the first character that cannot follow
  const number = () => {
    if (text[at] === '-') at++
    if (text[at] === '0') at++
    else digits()
    if (text[at] === '.') {
      at++
      digits()
    }
    if (text[at] === 'e' || text[at] === 'E') {
      at++
      if (text[at] === '+' || text[at] === '-') at++
      digits()
    }
  }
  try {
    value()
    space()
    if (at < text.length) stop()
    return -1
  } catch (error) {
    if (error instanceof JsonStop) return error.at
    throw error
  }
}

/** Why a file could not be read, in a few words (`no such file`, `permission denied`). */
export function describeFsError(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file'
    case 'EISDIR':
      return 'it is a directory, not a file'
    case 'EACCES':
    case 'EPERM':
      return 'permission denied'
    default:
      return (error as Error).message
  }
}

function readError(path: string, what: string, position: { line?: number; column?: number }, cause?: unknown) {
  const details = position.line === undefined ? { path } : { path, line: position.line, column: position.column }
  return new RxgateError(ErrorCodes.CONFIG_READ, `cannot read ${path}: ${what}`, details, { cause })
}
