/**
 * Go's TLS cipher suite numbers (`crypto/tls`, as KrakenD's `cipher_suites` lists them) and the
 * OpenSSL names node:tls knows them by. The TLS 1.3 suites are not configurable, in Go or here.
 */
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

/** The cipher suite numbers KrakenD accepts. */
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
