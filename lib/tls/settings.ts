import type { GoTlsVersion } from './go-names.js'

/** A certificate and its private key: PEM files, relative to the working directory as in KrakenD. */
export interface KeyPair {
  readonly public_key: string
  readonly private_key: string
  /** Where the configuration names the pair (`/tls/keys/0`, or `/tls` for the older single pair), for messages about its files. */
  readonly at: string
}

/**
 * The service's `tls` block, normalized; there is none when the file has no `tls` or says
 * `"disabled": true`, which is plain HTTP, as in KrakenD.
 */
export interface TlsSettings {
  /** The certificates, the first one served to clients that name no host (SNI) or a host no other certificate names. */
  readonly keys: readonly KeyPair[]
  /** Default TLS13: KrakenD accepts only TLS 1.3 unless told otherwise. */
  readonly min_version: GoTlsVersion
  /** Default TLS13. */
  readonly max_version: GoTlsVersion
  /** Go's cipher suite numbers; empty: KrakenD's defaults. */
  readonly cipher_suites: readonly number[]
  /** Go's curve numbers; empty: KrakenD's defaults (P-521, P-384, P-256). */
  readonly curve_preferences: readonly number[]
  /** Clients must present a certificate signed by one of the trusted CAs. */
  readonly enable_mtls: boolean
  /** PEM files of the CAs that sign client certificates, besides the system's. */
  readonly ca_certs: readonly string[]
  /** Trust only `ca_certs` (and the gateway's own certificates) for client certificates. */
  readonly disable_system_ca_pool: boolean
}

/** The block as written (the schema's shape, checked loosely: the validation reads it too). */
export interface RawTls {
  readonly disabled?: unknown
  readonly public_key?: unknown
  readonly private_key?: unknown
  readonly keys?: unknown
  readonly min_version?: unknown
  readonly max_version?: unknown
  readonly cipher_suites?: unknown
  readonly curve_preferences?: unknown
  readonly enable_mtls?: unknown
  readonly ca_certs?: unknown
  readonly disable_system_ca_pool?: unknown
}

/**
 * KrakenD's `tls` block as rxgate serves it, or undefined for plain HTTP. The older single pair
 * (`public_key`, `private_key` beside `keys`) comes after the `keys`, as Lura appends it.
 *
 * @example
 * tlsSettings({ keys: [{ public_key: 'cert.pem', private_key: 'key.pem' }], min_version: 'TLS12' })
 * // { keys: [{ public_key: 'cert.pem', private_key: 'key.pem', at: '/tls/keys/0' }], min_version: 'TLS12', max_version: 'TLS13', ... }
 */
export function tlsSettings(raw: RawTls | null | undefined): TlsSettings | undefined {
  if (raw === undefined || raw === null || typeof raw !== 'object' || raw.disabled === true) return undefined
  const listed = Array.isArray(raw.keys) ? raw.keys : []
  const keys: KeyPair[] = listed.map((pair: { public_key?: unknown; private_key?: unknown } | null, i) => ({
    public_key: text(pair?.public_key),
    private_key: text(pair?.private_key),
    at: `/tls/keys/${i}`,
  }))
  if (text(raw.public_key) !== '' || text(raw.private_key) !== '') {
    keys.push({ public_key: text(raw.public_key), private_key: text(raw.private_key), at: '/tls' })
  }
  return {
    keys,
    min_version: version(raw.min_version),
    max_version: version(raw.max_version),
    cipher_suites: numbers(raw.cipher_suites),
    curve_preferences: numbers(raw.curve_preferences),
    enable_mtls: raw.enable_mtls === true,
    ca_certs: Array.isArray(raw.ca_certs) ? raw.ca_certs.filter((path): path is string => typeof path === 'string') : [],
    disable_system_ca_pool: raw.disable_system_ca_pool === true,
  }
}

const VERSIONS = new Set<unknown>(['SSL3.0', 'TLS10', 'TLS11', 'TLS12', 'TLS13'])

/** Lura reads an absent or unknown version as TLS 1.3. */
function version(value: unknown): GoTlsVersion {
  return VERSIONS.has(value) ? (value as GoTlsVersion) : 'TLS13'
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

function numbers(value: unknown): number[] {
  return Array.isArray(value) ? value.filter((item): item is number => Number.isInteger(item)) : []
}
