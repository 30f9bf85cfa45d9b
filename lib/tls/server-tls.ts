import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createSecureContext, rootCertificates, type SecureContext, type SecureContextOptions, type TlsOptions } from 'node:tls'
import { describeFsError } from '../config/load.js'
import { ErrorCodes, RxgateError } from '../errors.js'
import { DEFAULT_CURVES, GO_TLS_VERSIONS, cipherSuite, curveName, nodeCurve, nodeOffers, nodeTlsVersion } from './go-names.js'
import type { KeyPair, TlsSettings } from './settings.js'

/** Something to say about a `tls` block: a problem that stops the gateway, or a warning. */
export interface TlsFinding {
  /** The JSON pointer of the setting (`/tls/keys/0/private_key`). */
  readonly pointer: string
  readonly message: string
  readonly warning?: boolean
}

/** Lura's TLS 1.2 suites when `cipher_suites` is not set (TLS 1.3 keeps its three, as Go's). */
const DEFAULT_SUITES = [49199, 49195, 49200, 49196, 52392, 52393]
const TLS13_SUITES = [4865, 4866, 4867]

/**
 * Reads the files of KrakenD's `tls` block and makes node's TLS server options of it: the
 * certificates (chosen by the host the client names, SNI, as Go chooses them), the versions,
 * cipher suites and curves mapped from Go's identifiers, and, with `enable_mtls`, the client
 * certificates required and verified against the system's CAs (unless `disable_system_ca_pool`),
 * `ca_certs`, and the gateway's own certificates, as Lura trusts them. Every problem is found at
 * once, each with its JSON pointer: a file that cannot be read or holds no certificate or key, a
 * key that does not match its certificate, a suite or curve this Node cannot offer.
 *
 * @example
 * const { options, findings } = loadServerTls(tlsSettings({ keys: [{ public_key: 'cert.pem', private_key: 'key.pem' }] })!)
 * if (options) http2.createSecureServer({ ...options, allowHTTP1: true })
 */
export function loadServerTls(settings: TlsSettings): { options: TlsOptions | undefined; findings: TlsFinding[] } {
  const findings: TlsFinding[] = []
  const problem = (pointer: string, message: string) => findings.push({ pointer, message })
  const warn = (pointer: string, message: string) => findings.push({ pointer, message, warning: true })

  const versions = versionRange(settings, problem, warn)
  const common: SecureContextOptions = {
    ...versions,
    ciphers: ciphers(settings, versions.minVersion, problem, warn),
    ecdhCurve: curves(settings, problem),
  }
  if (settings.keys.length === 0) {
    problem('/tls', 'needs a certificate and its private key: "keys": [{ "public_key": "cert.pem", "private_key": "key.pem" }] (or "disabled": true to serve plain HTTP)')
  }
  const pairs = settings.keys.map((pair) => readPair(pair, problem, warn))
  const ca = settings.enable_mtls ? clientCas(settings, pairs, problem) : undefined
  if (!settings.enable_mtls) {
    if (settings.ca_certs.length > 0) warn('/tls/ca_certs', 'is ignored: client certificates are asked for only with "enable_mtls": true (as in KrakenD)')
    if (settings.disable_system_ca_pool) warn('/tls/disable_system_ca_pool', 'is ignored: client certificates are asked for only with "enable_mtls": true (as in KrakenD)')
  }
  if (findings.some((finding) => !finding.warning)) return { options: undefined, findings }

  const loaded = pairs as Loaded[]
  const contexts: SecureContext[] = []
  for (const pair of loaded) {
    try {
      contexts.push(createSecureContext({ ...common, ...(ca ? { ca } : {}), key: pair.key, cert: pair.cert }))
    } catch (error) {
      problem(`${pair.at}/public_key`, `${pair.public_key} and ${pair.private_key} cannot be served: ${(error as Error).message}`)
    }
  }
  if (contexts.length < loaded.length) return { options: undefined, findings }
  const [first] = loaded as [Loaded, ...Loaded[]]
  return {
    options: {
      ...common,
      key: first.key,
      cert: first.cert,
      ...(ca ? { ca, requestCert: true, rejectUnauthorized: true } : {}),
      ...(loaded.length > 1 ? { SNICallback: byServerName(loaded, contexts) } : {}),
    },
    findings,
  }
}

/**
 * `loadServerTls`'s options, or an error that lists every problem (a file changed or removed
 * since the configuration was checked, say). Reads the files once, at start-up.
 *
 * @example
 * const server = http2.createSecureServer({ ...serverTlsOptions(config.tls), allowHTTP1: true })
 */
export function serverTlsOptions(settings: TlsSettings): TlsOptions {
  const { options, findings } = loadServerTls(settings)
  if (options) return options
  const problems = findings.filter((finding) => !finding.warning).map(({ pointer, message }) => `${pointer}: ${message}`)
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`
  throw new RxgateError(ErrorCodes.CONFIG_INVALID, `the TLS settings cannot be used (${count}):\n${problems.join('\n')}`, { problems })
}

type Report = (pointer: string, message: string) => void

/** A key pair read and checked: its PEM text and its certificate. */
interface Loaded extends KeyPair {
  readonly key: Buffer
  readonly cert: Buffer
  readonly x509: X509Certificate
}

function versionRange(settings: TlsSettings, problem: Report, warn: Report) {
  const { min_version: min, max_version: max } = settings
  if (max === 'SSL3.0') problem('/tls/max_version', 'leaves no version to speak: SSL 3.0 is spoken neither by Go nor by OpenSSL 3')
  else if (GO_TLS_VERSIONS.indexOf(min) > GO_TLS_VERSIONS.indexOf(max)) {
    problem('/tls/min_version', `${min} is above max_version ${max}: no version is left to speak`)
  }
  if (min === 'SSL3.0') warn('/tls/min_version', 'SSL 3.0 is spoken neither by Go nor by OpenSSL 3: the oldest version served is TLS 1.0')
  return { minVersion: nodeTlsVersion(min) ?? 'TLSv1', maxVersion: nodeTlsVersion(max) ?? 'TLSv1.3' } as const
}

/**
 * OpenSSL's cipher list. TLS 1.3 suites listed restrict TLS 1.3 to them; none listed: all three,
 * as Go (whose TLS 1.3 suites cannot be chosen). OpenSSL 3 speaks TLS 1.0 and 1.1 only at
 * security level 0, which a floor under TLS 1.2 asks for.
 */
function ciphers(settings: TlsSettings, minVersion: string, problem: Report, warn: Report): string {
  const listed = settings.cipher_suites.length > 0 ? settings.cipher_suites : DEFAULT_SUITES
  const older: string[] = []
  const tls13: string[] = []
  settings.cipher_suites.forEach((suite, i) => {
    const known = cipherSuite(suite)
    if (known === undefined) problem(`/tls/cipher_suites/${i}`, `${suite} is not one of the cipher suite numbers of Go that KrakenD lists`)
    else if (!nodeOffers(known.name)) problem(`/tls/cipher_suites/${i}`, `${suite} (${known.name}) is not offered by Node's OpenSSL 3, which has no RC4 nor 3DES: remove it`)
  })
  for (const suite of listed) {
    const known = cipherSuite(suite)
    if (known === undefined || !nodeOffers(known.name)) continue
    ;(known.tls13 ? tls13 : older).push(known.name)
  }
  if (settings.cipher_suites.length > 0 && tls13.length === 0 && settings.min_version === 'TLS13') {
    warn('/tls/cipher_suites', 'changes nothing: only TLS 1.3 is served (min_version), and these are suites of older versions')
  }
  const names = [...(tls13.length > 0 ? tls13 : TLS13_SUITES.map((suite) => cipherSuite(suite)!.name)), ...older]
  return minVersion === 'TLSv1' || minVersion === 'TLSv1.1' ? `${names.join(':')}:@SECLEVEL=0` : names.join(':')
}

function curves(settings: TlsSettings, problem: Report): string {
  const names: string[] = []
  settings.curve_preferences.forEach((curve, i) => {
    const name = curveName(curve)
    if (name === undefined) problem(`/tls/curve_preferences/${i}`, `${curve} is not one of Go's curve numbers: 23 (P-256), 24 (P-384), 25 (P-521), 29 (X25519)`)
    else if (!nodeCurve(name)) problem(`/tls/curve_preferences/${i}`, `${curve} (${name}) is not offered by this Node's OpenSSL: remove it`)
    else names.push(name)
  })
  return (names.length > 0 ? names : DEFAULT_CURVES.map((curve) => curveName(curve)!)).join(':')
}

function readPair(pair: KeyPair, problem: Report, warn: Report): Loaded | undefined {
  const certAt = `${pair.at}/public_key`
  const keyAt = `${pair.at}/private_key`
  if (pair.public_key === '') problem(certAt, "is required: the PEM file of the certificate")
  if (pair.private_key === '') problem(keyAt, "is required: the PEM file of the certificate's private key")
  const cert = pair.public_key === '' ? undefined : readPem(pair.public_key, certAt, problem)
  const key = pair.private_key === '' ? undefined : readPem(pair.private_key, keyAt, problem)
  const x509 = cert && certificate(cert, pair.public_key, certAt, problem)
  const privateKey = key && privateKeyOf(key, pair.private_key, keyAt, problem)
  if (!cert || !key || !x509 || !privateKey) return undefined
  if (!x509.checkPrivateKey(privateKey)) {
    problem(keyAt, `${pair.private_key} is not the private key of ${pair.public_key}`)
    return undefined
  }
  if (Date.parse(x509.validTo) < Date.now()) warn(certAt, `${pair.public_key} expired on ${x509.validTo}: clients will refuse it`)
  return { ...pair, key, cert, x509 }
}

function readPem(path: string, at: string, problem: Report): Buffer | undefined {
  try {
    return readFileSync(path)
  } catch (error) {
    problem(at, `cannot read ${path}: ${describeFsError(error)}`)
    return undefined
  }
}

function certificate(pem: Buffer, path: string, at: string, problem: Report): X509Certificate | undefined {
  try {
    return new X509Certificate(pem)
  } catch {
    problem(at, `${path} holds no PEM certificate`)
    return undefined
  }
}

function privateKeyOf(pem: Buffer, path: string, at: string, problem: Report): KeyObject | undefined {
  try {
    return createPrivateKey(pem)
  } catch {
    // PKCS#8's `BEGIN ENCRYPTED PRIVATE KEY`, or the older `Proc-Type: 4,ENCRYPTED`
    const encrypted = pem.includes('ENCRYPTED')
    problem(at, encrypted ? `${path} is encrypted: only unencrypted keys are read (as in KrakenD)` : `${path} holds no PEM private key`)
    return undefined
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

/** The CAs a client certificate may be signed by: the system's, `ca_certs`, and the gateway's own certificates (as Lura adds them). */
function clientCas(settings: TlsSettings, pairs: readonly (Loaded | undefined)[], problem: Report): string[] {
  const cas = settings.disable_system_ca_pool ? [] : [...rootCertificates]
  settings.ca_certs.forEach((path, i) => {
    const pem = readPem(path, `/tls/ca_certs/${i}`, problem)
    if (!pem) return
    const blocks = pem.toString('latin1').match(PEM_CERTIFICATE) ?? []
    const valid = blocks.filter((block) => certificate(Buffer.from(block, 'latin1'), path, `/tls/ca_certs/${i}`, () => {}) !== undefined)
    if (valid.length === 0) problem(`/tls/ca_certs/${i}`, `${path} holds no PEM certificate`)
    cas.push(...valid)
  })
  for (const pair of pairs) if (pair) cas.push(pair.cert.toString('latin1'))
  return cas
}

/** Serves the certificate that names the host the client asked for (SNI), else the first one, as Go picks. */
function byServerName(pairs: readonly Loaded[], contexts: readonly SecureContext[]): NonNullable<TlsOptions['SNICallback']> {
  return (servername, done) => {
    const found = pairs.findIndex((pair) => pair.x509.checkHost(servername) !== undefined)
    done(null, contexts[found === -1 ? 0 : found])
  }
}
