import { ErrorCodes, RxgateError } from '../lib/errors.js'

/**
 * Argument checks shared by the operators. They run when an operator is created, so that a
 * misused operator fails at start-up with a clear message rather than on every request.
 */

/** A key: a non-empty string, taken as it is (dots included). */
export function checkKey(operator: string, key: unknown, what = 'key'): string {
  if (typeof key !== 'string' || key === '') {
    throw bad(`${operator}(): the ${what} must be a non-empty string, got ${show(key)}`)
  }
  return key
}

/** A dot path such as `'user.address.city'`: a non-empty string without empty segments. */
export function checkPath(operator: string, path: unknown): string {
  if (typeof path !== 'string' || path === '') {
    throw bad(`${operator}(): a path must be a non-empty string like "user.address.city", got ${show(path)}`)
  }
  if (path.split('.').includes('')) {
    throw bad(`${operator}(): the path ${show(path)} has an empty segment: write dot paths like "user.address.city"`)
  }
  return path
}

/** A list of dot paths. */
export function checkPaths(operator: string, paths: unknown): readonly string[] {
  if (!Array.isArray(paths)) throw bad(`${operator}(): expected a list of dot paths, got ${show(paths)}`)
  return paths.map((path: unknown) => checkPath(operator, path))
}

function bad(message: string) {
  return new RxgateError(ErrorCodes.BAD_ARGUMENT, message)
}

function show(value: unknown): string {
  return value === undefined ? 'undefined' : JSON.stringify(value) ?? String(value)
}
