/**
 * Reading a validated token's claims as KrakenD's JWT validator (krakend-jose) reads them: a claim
 * by its name or by a dotted path, a claim as header or URL text, and the roles and scopes checks.
 */

/** A token's payload: a JSON object. */
export type Claims = Readonly<Record<string, unknown>>

/** Reads one claim out of a payload: compiled once from a name or a path. */
export type ClaimReader = (claims: Claims) => unknown

/**
 * A reader for `path`: walked by its dots (`realm_access.roles` is `roles` inside `realm_access`)
 * when `nested`, otherwise the key as written. A step through anything but an object finds nothing.
 *
 * @example
 * claimReader('realm_access.roles', true)({ realm_access: { roles: ['admin'] } })   // ['admin']
 * claimReader('http://example.com/roles', false)({ 'http://example.com/roles': ['a'] }) // ['a']
 */
export function claimReader(path: string, nested: boolean): ClaimReader {
  if (!nested || !path.includes('.')) return (claims) => (Object.hasOwn(claims, path) ? claims[path] : undefined)
  const steps = path.split('.')
  return (claims) => {
    let current: unknown = claims
    for (const step of steps) {
      if (!isObject(current) || !Object.hasOwn(current, step)) return undefined
      current = current[step]
    }
    return current
  }
}

/**
 * A claim as text, the way krakend-jose writes one into a header or a URL (its `Claims.Get`): a
 * string as it is, a whole number without decimals, another number with six (`%f`), a list as
 * its items joined by commas (each as Go's `%v` prints it), anything else as JSON. `undefined`
 * when the claim is absent.
 *
 * @example
 * claimText('ada')         // 'ada'
 * claimText(1700000000)    // '1700000000'
 * claimText(0.5)           // '0.500000'
 * claimText(['a', 'b'])    // 'a,b'
 * claimText({ b: 1, a: 2 }) // '{"a":2,"b":1}'
 */
export function claimText(value: unknown): string | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'string') return value
  if (typeof value === 'number') {
    const rounded = Math.round(value)
    if (Math.abs(value - rounded) <= 1e-6) return Number.isSafeInteger(rounded) ? String(rounded) : BigInt(rounded).toString()
    return value.toFixed(6)
  }
  if (Array.isArray(value)) return value.map(goValue).join(',')
  return sortedJson(value)
}

/**
 * Whether a role claim holds one of `required` (krakend-jose's `CanAccess`): a list of strings, or
 * a string of roles separated by spaces. Nothing required: always.
 *
 * @example
 * hasAnyRole(['user', 'admin'], ['admin', 'ops']) // true
 * hasAnyRole('user admin', ['ops'])               // false
 */
export function hasAnyRole(claim: unknown, required: readonly string[]): boolean {
  if (required.length === 0) return true
  const held = words(claim)
  return held !== undefined && required.some((role) => held.includes(role))
}

/**
 * Whether a scope claim satisfies `required`: `any` of them, or `all` (krakend-jose's scope
 * matchers). The claim is a string of scopes separated by spaces (RFC 8693's `scope`) or a list.
 *
 * @example
 * hasScopes('read write', ['write', 'admin'], 'any') // true
 * hasScopes('read write', ['write', 'admin'], 'all') // false
 */
export function hasScopes(claim: unknown, required: readonly string[], matcher: 'any' | 'all'): boolean {
  if (required.length === 0) return true
  const held = words(claim)
  if (held === undefined) return false
  return matcher === 'all' ? required.every((scope) => held.includes(scope)) : required.some((scope) => held.includes(scope))
}

/** A claim's words: the strings of a list, or a string split at spaces; `undefined` for anything else. */
function words(claim: unknown): readonly unknown[] | undefined {
  if (Array.isArray(claim)) return claim
  if (typeof claim === 'string') return claim.split(' ')
  return undefined
}

/** A JSON value as Go's `%v` prints the `interface{}` it decodes to. */
function goValue(value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number') return goFloat(value)
  if (typeof value === 'boolean') return String(value)
  if (value === null || value === undefined) return '<nil>'
  if (Array.isArray(value)) return `[${value.map(goValue).join(' ')}]`
  const entries = Object.keys(value as object).sort().map((key) => `${key}:${goValue((value as Record<string, unknown>)[key])}`)
  return `map[${entries.join(' ')}]`
}

/** A float64 as Go's `%v` prints it (`%g`, shortest): `1.5`, `123456`, `1.234567e+06`, `1e-05`. */
function goFloat(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : value < 0 ? '-Inf' : 'NaN'
  if (value === 0) return Object.is(value, -0) ? '-0' : '0'
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e')
  const exponent = Number(exponentText)
  // strconv's shortest %g switches to an exponent below -4 and from 6 up (its `eprec` of 6)
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? '-' : '+'
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`
  }
  return String(value)
}

/** JSON with object keys sorted, as Go's encoding/json writes a map. */
function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    isObject(item) ? Object.fromEntries(Object.keys(item).sort().map((key) => [key, item[key]])) : item,
  )
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
