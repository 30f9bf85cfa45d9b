const LABEL = Symbol('rxgate.label')

/**
 * What a source is, for the logs: a backend's `url_pattern` (or URL template). A failed part of a
 * labelled source carries its label (`Failed.backend`), read once when the fan-out is built, so
 * that a line about it names the backend even when the source is known by its position in a
 * list. `backend()` labels its sources; wrapping a source in `pipe` makes another, unlabelled one.
 *
 * @example
 * const users = labelSource(perRequest(fetchUser), '/users/{id}')
 * request$.pipe(fanOut([users]), timeoutEach('1s'), merge()) // a timeout's part: { source: '0', backend: '/users/{id}' }
 */
export function labelSource<S extends object>(source: S, label: string): S {
  Object.defineProperty(source, LABEL, { value: label, configurable: true })
  return source
}

/** A source's label, if it has one. */
export function sourceLabel(source: unknown): string | undefined {
  return typeof source === 'function' ? ((source as { [LABEL]?: string })[LABEL] ?? undefined) : undefined
}
