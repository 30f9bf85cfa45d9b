import { createSecureContext, getCiphers } from 'node:tls'

/**
 * Go's `crypto/tls` identifiers, as KrakenD's configuration writes them (cipher suite and curve
 * numbers, version names), and the names node:tls (OpenSSL) knows them by.
 */

/** Go's TLS 1.2-and-below cipher suite numbers and their OpenSSL names. */
const OPENSSL_NAMES: ReadonlyMap<number, string> = new Map([
  [5, 'RC4-SHA'],
  [10, 'DES-CBC3-SHA'],
  [47, 'AES128-SHA'],
  [53, 'AES256-SHA'],
  [60, 'AES128-SHA256'],
  [156, 'AES128-GCM-SHA256'],
  [157, 'AES256-GCM-SHA384'],
  [49159, 'ECDHE-ECDSA-RC4-SHA'],
  [49161, 'ECDHE-ECDSA-AES128-SHA'],
  [49162, 'ECDHE-ECDSA-AES256-SHA'],
  [49169, 'ECDHE-RSA-RC4-SHA'],
  [49170, 'ECDHE-RSA-DES-CBC3-SHA'],
  [49171, 'ECDHE-RSA-AES128-SHA'],
  [49172, 'ECDHE-RSA-AES256-SHA'],
  [49187, 'ECDHE-ECDSA-AES128-SHA256'],
  [49191, 'ECDHE-RSA-AES128-SHA256'],
  [49195, 'ECDHE-ECDSA-AES128-GCM-SHA256'],
  [49196, 'ECDHE-ECDSA-AES256-GCM-SHA384'],
  [49199, 'ECDHE-RSA-AES128-GCM-SHA256'],
  [49200, 'ECDHE-RSA-AES256-GCM-SHA384'],
  [52392, 'ECDHE-RSA-CHACHA20-POLY1305'],
  [52393, 'ECDHE-ECDSA-CHACHA20-POLY1305'],
])

/** Go's TLS 1.3 cipher suite numbers: OpenSSL names them as the RFC does. */
const TLS13_NAMES: ReadonlyMap<number, string> = new Map([
  [4865, 'TLS_AES_128_GCM_SHA256'],
  [4866, 'TLS_AES_256_GCM_SHA384'],
  [4867, 'TLS_CHACHA20_POLY1305_SHA256'],
])

/** The cipher suite numbers KrakenD accepts (TLS 1.2 and below). */
export const GO_CIPHER_SUITES: readonly number[] = [...OPENSSL_NAMES.keys()]

/**
 * A node:tls `ciphers` string for Go's suite numbers; numbers it does not know are left out (the
 * configuration check refuses them).
 *
 * @example
 * goCipherSuites([49199, 49195]) // 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256'
 */
export function goCipherSuites(suites: readonly number[]): string {
  return suites.flatMap((suite) => OPENSSL_NAMES.get(suite) ?? []).join(':')
}

/** The OpenSSL name of one of Go's cipher suites, TLS 1.3's included, and whether it is a TLS 1.3 suite. */
export function cipherSuite(suite: number): { readonly name: string; readonly tls13: boolean } | undefined {
  const tls13 = TLS13_NAMES.get(suite)
  if (tls13 !== undefined) return { name: tls13, tls13: true }
  const name = OPENSSL_NAMES.get(suite)
  return name === undefined ? undefined : { name, tls13: false }
}

let offered: ReadonlySet<string> | undefined

/**
 * Whether this Node's OpenSSL offers a cipher suite (by its OpenSSL name). Node 20's OpenSSL 3
 * has no RC4 and no 3DES: KrakenD lists them for old clients, rxgate cannot serve them.
 *
 * @example
 * nodeOffers('ECDHE-RSA-AES128-GCM-SHA256') // true
 * nodeOffers('RC4-SHA')                     // false
 */
export function nodeOffers(name: string): boolean {
  offered ??= new Set(getCiphers())
  return offered.has(name.toLowerCase())
}

/** Go's curve numbers (`tls.CurveID`) and OpenSSL's names for them. */
const CURVES: ReadonlyMap<number, string> = new Map([
  [23, 'P-256'],
  [24, 'P-384'],
  [25, 'P-521'],
  [29, 'X25519'],
  [4588, 'X25519MLKEM768'],
])

/** KrakenD's curves when `curve_preferences` is not set: Lura's P-521, P-384, P-256, in that order. */
export const DEFAULT_CURVES: readonly number[] = [25, 24, 23]

/** The OpenSSL name of one of Go's curve numbers, or undefined for a number Go does not know. */
export function curveName(curve: number): string | undefined {
  return CURVES.get(curve)
}

/**
 * Whether this Node's OpenSSL can do a key exchange group (by its OpenSSL name): Node 20's OpenSSL
 * 3.0 has no post-quantum X25519MLKEM768, which Go offers.
 *
 * @example
 * nodeCurve('P-256')          // true
 * nodeCurve('X25519MLKEM768') // false on Node 20
 */
export function nodeCurve(name: string): boolean {
  try {
    createSecureContext({ ecdhCurve: name })
    return true
  } catch {
    return false
  }
}

/** KrakenD's version names (`min_version`, `max_version`). */
export type GoTlsVersion = 'SSL3.0' | 'TLS10' | 'TLS11' | 'TLS12' | 'TLS13'

/** KrakenD's version names in order, oldest first. */
export const GO_TLS_VERSIONS: readonly GoTlsVersion[] = ['SSL3.0', 'TLS10', 'TLS11', 'TLS12', 'TLS13']

/**
 * node:tls's name for a version. SSL 3.0, which neither Go nor OpenSSL 3 speak any longer, is
 * undefined: as a floor it means TLS 1.0, as a ceiling nothing.
 */
export function nodeTlsVersion(version: GoTlsVersion): 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3' | undefined {
  switch (version) {
    case 'TLS10':
      return 'TLSv1'
    case 'TLS11':
      return 'TLSv1.1'
    case 'TLS12':
      return 'TLSv1.2'
    case 'TLS13':
      return 'TLSv1.3'
    default:
      return undefined
  }
}
