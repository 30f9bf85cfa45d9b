/**
 * The rules of the `auth/validator`, `auth/signer` and `auth/client-credentials` blocks that their
 * JSON Schema cannot express: where the keys are and how they may be fetched, settings that
 * cannot work with each other. Each finding is a JSON pointer inside the block and what is wrong.
 */

/** Something a block says that its schema cannot judge; `warning`: a likely mistake that still serves. */
export interface AuthFinding {
  readonly path: string
  readonly message: string
  readonly warning?: boolean
}

type Block = Readonly<Record<string, unknown>>

/**
 * What is wrong with an authentication block of an endpoint or a backend (`scope`); nothing for
 * other namespaces, or a block that is not an object (the schema says so).
 *
 * @example
 * authFindings('auth/validator', 'endpoint', { alg: 'RS256', jwk_url: 'http://idp/jwks.json' })
 * // [{ path: '/jwk_url', message: 'must be an https:// URL unless disable_jwk_security is true ...' }]
 */
export function authFindings(namespace: string, scope: 'endpoint' | 'backend', block: unknown): AuthFinding[] {
  if (typeof block !== 'object' || block === null || Array.isArray(block)) return []
  const options = block as Block
  if (scope === 'endpoint' && namespace === 'auth/validator') return [...keySource(options, 'validator'), ...validatorRules(options)]
  if (scope === 'endpoint' && namespace === 'auth/signer') return keySource(options, 'signer')
  if (scope === 'backend' && namespace === 'auth/client-credentials') return clientCredentialsRules(options)
  return []
}

/** Where a validator's or a signer's keys come from. */
function keySource(options: Block, role: 'validator' | 'signer'): AuthFinding[] {
  const findings: AuthFinding[] = []
  for (const key of ['secret_url', 'cypher_key']) {
    if (options[key] !== undefined) {
      findings.push({
        path: `/${key}`,
        message: 'encrypted JWK files (secret_url, cypher_key) are not supported by rxgate: decrypt the file and name it in jwk_local_path',
      })
    }
  }
  const path = options.jwk_local_path
  const url = options.jwk_url
  const hasPath = typeof path === 'string' && path !== ''
  const hasUrl = typeof url === 'string' && url !== ''
  if (!hasPath && !hasUrl) {
    const what = role === 'validator' ? 'the keys that verify the tokens' : 'the key that signs the tokens'
    findings.push({ path: '', message: `needs jwk_url or jwk_local_path: where ${what} are` })
  }
  if (hasPath && hasUrl) findings.push({ path: '/jwk_url', message: 'is ignored: jwk_local_path has preference (as in KrakenD)', warning: true })
  if (!hasPath && hasUrl) findings.push(...jwkUrl(url, options.disable_jwk_security === true, role))
  for (const [index, fingerprint] of (Array.isArray(options.jwk_fingerprints) ? options.jwk_fingerprints : []).entries()) {
    if (typeof fingerprint === 'string' && !/^[A-Za-z0-9+/_-]+={0,2}$/.test(fingerprint)) {
      findings.push({ path: `/jwk_fingerprints/${index}`, message: `is not base64: a fingerprint is the base64 SHA-256 digest of a public key` })
    }
  }
  return findings
}

function jwkUrl(url: string, insecure: boolean, role: 'validator' | 'signer'): AuthFinding[] {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return [{ path: '/jwk_url', message: `is not a URL (got ${JSON.stringify(url)})` }]
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return [{ path: '/jwk_url', message: `must be an http:// or https:// URL (got ${JSON.stringify(url)})` }]
  }
  if (parsed.protocol === 'http:' && !insecure) {
    const krakend = role === 'validator' ? 'KrakenD would serve the endpoint without validating tokens' : 'KrakenD would answer unsigned'
    return [{ path: '/jwk_url', message: `must be an https:// URL unless disable_jwk_security is true (${krakend})` }]
  }
  return []
}

function validatorRules(options: Block): AuthFinding[] {
  const findings: AuthFinding[] = []
  if (Array.isArray(options.scopes) && options.scopes.length > 0 && !options.scopes_key) {
    findings.push({ path: '/scopes', message: 'are not checked without scopes_key (KrakenD skips them): name the claim that holds the scopes' })
  }
  if (options.cache_duration !== undefined && options.cache !== true && !options.jwk_local_path) {
    findings.push({ path: '/cache_duration', message: 'is ignored without "cache": true: the keys are fetched for every request', warning: true })
  }
  return findings
}

function clientCredentialsRules(options: Block): AuthFinding[] {
  const url = options.token_url
  if (typeof url !== 'string') return []
  try {
    const { protocol } = new URL(url)
    if (protocol === 'https:' || protocol === 'http:') return []
  } catch {
    // not a URL at all
  }
  return [{ path: '/token_url', message: `must be an http:// or https:// URL (got ${JSON.stringify(url)})` }]
}
