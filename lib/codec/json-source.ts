/**
 * The JSON bytes a decoded value was parsed from, kept for values that reach the client unchanged:
 * an endpoint that passes its one backend's document whole sends the backend's bytes rather than
 * serializing the same value again (the parse checked them). Only decoders asked to
 * (`BackendOptions.verbatim`) record them and only renderers built for such endpoints read them,
 * since a value changed in place on its way would be sent as it was before.
 */
const sources = new WeakMap<object, Buffer>()

/** Records the bytes `value` was parsed from. Values that are not objects or arrays are cheap to write again. */
export function rememberSource(value: unknown, bytes: Buffer): void {
  if (typeof value === 'object' && value !== null) sources.set(value, bytes)
}

/** The bytes `value` was parsed from, when recorded. */
export function sourceOf(value: unknown): Buffer | undefined {
  return typeof value === 'object' && value !== null ? sources.get(value) : undefined
}
