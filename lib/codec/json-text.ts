/**
 * The JSON text a decoded value was parsed from, kept for values that reach the client unchanged:
 * an endpoint that passes its one backend's document whole sends the backend's text rather than
 * serializing the same value again (the text was validated by the parse). Only decoders asked to
 * (`BackendOptions.verbatim`) record it and only renderers built for such endpoints read it, since
 * a value changed in place on its way would be sent as it was before.
 */
const texts = new WeakMap<object, string>()

/** Records the text `value` was parsed from. Values that are not objects or arrays are cheap to write again. */
export function rememberText(value: unknown, text: string): void {
  if (typeof value === 'object' && value !== null) texts.set(value, text)
}

/** The text `value` was parsed from, when recorded. */
export function textOf(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null ? texts.get(value) : undefined
}
