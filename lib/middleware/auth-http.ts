import { X509Certificate, createHash } from 'node:crypto'
import { checkServerIdentity, rootCertificates, type PeerCertificate } from 'node:tls'
import { Agent, request } from 'undici'
import { USER_AGENT } from '../backend/forward.js'
import { goCipherSuites } from '../tls/go-names.js'

/**
 * How the authentication middlewares reach a JWK server or a token endpoint over TLS, as KrakenD's
 * JWK client does: its `cipher_suites`, `jwk_fingerprints` (pinned public keys) and `jwk_local_ca`,
 * and `disable_jwk_security` (plain HTTP, and certificates not verified).
 */
export interface AuthTls {
  /** Go's cipher suite numbers (TLS 1.2 and below; TLS 1.3 keeps its own, as in Go). */
  readonly cipherSuites?: readonly number[]
  /** Base64 SHA-256 digests of the public key (SubjectPublicKeyInfo) of a certificate the server must present. */
  readonly fingerprints?: readonly string[]
  /** CA certificates (PEM) trusted besides the system's: the content of KrakenD's `jwk_local_ca`. */
  readonly localCa?: string
  /** Certificates are not verified (KrakenD's `disable_jwk_security`). */
  readonly insecure?: boolean
}

/** What an authentication call got back: everything, read whole (and bounded). */
export interface AuthResponse {
  readonly status: number
  readonly contentType: string
  readonly body: Buffer
}

export interface AuthRequest {
  readonly method?: 'GET' | 'POST'
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string
  /** The whole exchange's deadline, in milliseconds. */
  readonly timeout: number
  /** The largest body read, in bytes. */
  readonly maxBytes: number
  readonly tls?: AuthTls
}

/** Idle connections to JWK servers and token endpoints are closed after this long: calls are rare. */
const IDLE_MS = 1_000

const agents = new Map<string, Agent>()

/**
 * One HTTP call of the gateway's own (a JWK set, an OAuth2 token), with a deadline on the whole
 * exchange and a limit on the body, over keep-alive connections shared by every call with the same
 * TLS settings. Rejects on a network failure, the deadline, or a body over the limit; any status
 * resolves.
 *
 * @example
 * const { status, body } = await authFetch('https://idp.example/jwks.json', { timeout: 5000, maxBytes: 1 << 20 })
 */
export async function authFetch(url: string, options: AuthRequest): Promise<AuthResponse> {
  const signal = AbortSignal.timeout(options.timeout)
  const response = await request(url, {
    method: options.method ?? 'GET',
    headers: { 'user-agent': USER_AGENT, ...options.headers },
    ...(options.body === undefined ? {} : { body: options.body }),
    dispatcher: agentFor(options.tls),
    signal,
  })
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > options.maxBytes) {
      response.body.destroy()
      throw new Error(`the answer is larger than ${options.maxBytes} bytes`)
    }
    chunks.push(chunk)
  }
  const type = response.headers['content-type']
  return { status: response.statusCode, contentType: Array.isArray(type) ? type.join(', ') : (type ?? ''), body: Buffer.concat(chunks) }
}

function agentFor(tls: AuthTls = {}): Agent {
  const key = JSON.stringify([tls.cipherSuites ?? [], tls.fingerprints ?? [], tls.localCa ?? '', tls.insecure === true])
  let agent = agents.get(key)
  if (!agent) {
    agent = new Agent({ keepAliveTimeout: IDLE_MS, keepAliveMaxTimeout: IDLE_MS, connect: connectOptions(tls) })
    agents.set(key, agent)
  }
  return agent
}

/** node:tls options for a profile: TLS 1.2 at least, as KrakenD's JWK client. */
function connectOptions(tls: AuthTls) {
  const pins = (tls.fingerprints ?? []).map((fingerprint) => Buffer.from(fingerprint, 'base64'))
  return {
    minVersion: 'TLSv1.2' as const,
    ...(tls.cipherSuites?.length ? { ciphers: goCipherSuites(tls.cipherSuites) } : {}),
    ...(tls.localCa ? { ca: [...rootCertificates, tls.localCa] } : {}),
    ...(tls.insecure ? { rejectUnauthorized: false } : {}),
    ...(pins.length > 0 ? { checkServerIdentity: pinned(pins, tls.insecure === true) } : {}),
  }
}

/** Checks the host name as usual, then that a certificate of the chain has one of the pinned public keys. */
function pinned(pins: readonly Buffer[], insecure: boolean) {
  return (host: string, certificate: PeerCertificate): Error | undefined => {
    const wrongHost = insecure ? undefined : checkServerIdentity(host, certificate)
    if (wrongHost) return wrongHost
    for (const seen of chain(certificate)) {
      const digest = createHash('sha256').update(publicKeyOf(seen)).digest()
      if (pins.some((pin) => pin.equals(digest))) return undefined
    }
    return new Error('no certificate of the server has a pinned public key (jwk_fingerprints)')
  }
}

function* chain(certificate: PeerCertificate): Generator<PeerCertificate> {
  const seen = new Set<PeerCertificate>()
  let current: PeerCertificate | undefined = certificate
  while (current && !seen.has(current)) {
    seen.add(current)
    yield current
    current = (current as { issuerCertificate?: PeerCertificate }).issuerCertificate
  }
}

/** The DER SubjectPublicKeyInfo of a certificate, as Go's `x509.MarshalPKIXPublicKey` writes it. */
function publicKeyOf(certificate: PeerCertificate): Buffer {
  return new X509Certificate(certificate.raw).publicKey.export({ type: 'spki', format: 'der' })
}
