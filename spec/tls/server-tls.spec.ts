import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { rootCertificates } from 'node:tls'
import t from 'tap'
import { loadServerTls, serverTlsOptions } from '../../lib/tls/server-tls.js'
import { tlsSettings, type RawTls } from '../../lib/tls/settings.js'
import { makePki } from '../helpers/certificates.js'

const pki = makePki(t)
const pair = { public_key: pki.server.cert, private_key: pki.server.key }

function load(raw: RawTls) {
  return loadServerTls(tlsSettings(raw)!)
}

/** The findings as `pointer: message` lines, the warnings marked. */
function said(raw: RawTls): string[] {
  return load(raw).findings.map(({ pointer, message, warning }) => `${warning ? 'warning ' : ''}${pointer}: ${message}`)
}

t.test('no tls block, or "disabled": true, is plain HTTP', async (t) => {
  t.equal(tlsSettings(undefined), undefined)
  t.equal(tlsSettings(null), undefined)
  t.equal(tlsSettings({ disabled: true, keys: [pair] }), undefined)
})

t.test("KrakenD's defaults: TLS 1.3 only, its suites, curves P-521, P-384, P-256, no client certificates", async (t) => {
  const { options, findings } = load({ keys: [pair] })
  t.same(findings, [])
  t.equal(options?.minVersion, 'TLSv1.3')
  t.equal(options?.maxVersion, 'TLSv1.3')
  t.equal(options?.ecdhCurve, 'P-521:P-384:P-256')
  t.equal(
    options?.ciphers,
    'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256:' +
      'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-CHACHA20-POLY1305',
  )
  t.same(options?.cert, pki.server.certPem)
  t.same(options?.key, pki.server.keyPem)
  t.equal(options?.requestCert, undefined)
  t.equal(options?.SNICallback, undefined, 'one certificate: no choosing')
})

t.test('versions, cipher suites and curves are mapped from Go to OpenSSL', async (t) => {
  const { options } = load({ keys: [pair], min_version: 'TLS12', max_version: 'TLS12', cipher_suites: [49195, 4866], curve_preferences: [29, 23] })
  t.equal(options?.minVersion, 'TLSv1.2')
  t.equal(options?.maxVersion, 'TLSv1.2')
  t.equal(options?.ciphers, 'TLS_AES_256_GCM_SHA384:ECDHE-ECDSA-AES128-GCM-SHA256', 'TLS 1.3 suites listed restrict TLS 1.3')
  t.equal(options?.ecdhCurve, 'X25519:P-256')
  t.equal(load({ keys: [pair], min_version: 'TLS12', cipher_suites: [49195] }).options?.ciphers, 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:ECDHE-ECDSA-AES128-GCM-SHA256', 'none listed: all three, as Go')
  const old = load({ keys: [pair], min_version: 'TLS10', cipher_suites: [49161] })
  t.equal(old.options?.minVersion, 'TLSv1')
  t.match(old.options?.ciphers, /:@SECLEVEL=0$/, 'OpenSSL 3 speaks TLS 1.0 and 1.1 only at security level 0')
})

t.test('what Node cannot do, and what is not Go\'s, is refused with its JSON path', async (t) => {
  t.same(said({ keys: [pair], min_version: 'TLS12', cipher_suites: [49199, 5, 10, 1234] }), [
    '/tls/cipher_suites/1: 5 (RC4-SHA) is not offered by Node\'s OpenSSL 3, which has no RC4 nor 3DES: remove it',
    '/tls/cipher_suites/2: 10 (DES-CBC3-SHA) is not offered by Node\'s OpenSSL 3, which has no RC4 nor 3DES: remove it',
    '/tls/cipher_suites/3: 1234 is not one of the cipher suite numbers of Go that KrakenD lists',
  ])
  t.same(said({ keys: [pair], curve_preferences: [23, 4588, 99] }), [
    "/tls/curve_preferences/1: 4588 (X25519MLKEM768) is not offered by this Node's OpenSSL: remove it",
    "/tls/curve_preferences/2: 99 is not one of Go's curve numbers: 23 (P-256), 24 (P-384), 25 (P-521), 29 (X25519)",
  ])
  t.same(said({ keys: [pair], min_version: 'TLS13', max_version: 'TLS12' }), ['/tls/min_version: TLS13 is above max_version TLS12: no version is left to speak'])
  t.same(said({ keys: [pair], max_version: 'SSL3.0', min_version: 'SSL3.0' }), [
    '/tls/max_version: leaves no version to speak: SSL 3.0 is spoken neither by Go nor by OpenSSL 3',
    'warning /tls/min_version: SSL 3.0 is spoken neither by Go nor by OpenSSL 3: the oldest version served is TLS 1.0',
  ])
  t.same(said({ keys: [pair], cipher_suites: [49199] }), ['warning /tls/cipher_suites: changes nothing: only TLS 1.3 is served (min_version), and these are suites of older versions'])
  t.equal(load({ keys: [pair], cipher_suites: [5] }).options, undefined, 'no options while anything is wrong')
})

t.test('the key files: each read, each certificate with its own key, every problem at once', async (t) => {
  const garbage = join(pki.dir, 'garbage.pem')
  writeFileSync(garbage, 'not a PEM file\n')
  const encrypted = join(pki.dir, 'encrypted.key')
  execFileSync('openssl', ['genpkey', '-algorithm', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-aes256', '-pass', 'pass:secret', '-out', encrypted], { stdio: 'ignore' })
  const folder = join(pki.dir, 'a-folder')
  mkdirSync(folder)
  t.same(
    said({
      keys: [
        { public_key: join(pki.dir, 'missing.pem'), private_key: pki.server.key },
        { public_key: pki.client.cert, private_key: pki.server.key },
        { public_key: garbage, private_key: garbage },
        { public_key: pki.server.cert, private_key: encrypted },
        { public_key: folder, private_key: '' },
      ],
    }),
    [
      `/tls/keys/0/public_key: cannot read ${pki.dir}/missing.pem: no such file`,
      `/tls/keys/1/private_key: ${pki.server.key} is not the private key of ${pki.client.cert}`,
      `/tls/keys/2/public_key: ${garbage} holds no PEM certificate`,
      `/tls/keys/2/private_key: ${garbage} holds no PEM private key`,
      `/tls/keys/3/private_key: ${encrypted} is encrypted: only unencrypted keys are read (as in KrakenD)`,
      "/tls/keys/4/private_key: is required: the PEM file of the certificate's private key",
      `/tls/keys/4/public_key: cannot read ${folder}: it is a directory, not a file`,
    ],
  )
  t.same(said({}), ['/tls: needs a certificate and its private key: "keys": [{ "public_key": "cert.pem", "private_key": "key.pem" }] (or "disabled": true to serve plain HTTP)'])
  t.same(said({ public_key: pki.server.cert }), ["/tls/private_key: is required: the PEM file of the certificate's private key"], 'the older single pair')
  const expired = pki.expired()
  t.match(said({ keys: [{ public_key: expired.cert, private_key: expired.key }] }), [/^warning \/tls\/keys\/0\/public_key: .*expired\.pem expired on Jan {2}2 00:00:00 2020 GMT: clients will refuse it$/])
  t.throws(() => serverTlsOptions(tlsSettings({ keys: [{ public_key: pki.server.cert, private_key: join(pki.dir, 'nope.key') }] })!), {
    code: 'RXGATE_ERR_CONFIG_INVALID',
    message: `the TLS settings cannot be used (1 problem):\n/tls/keys/0/private_key: cannot read ${pki.dir}/nope.key: no such file`,
  })
})

t.test('the older single pair comes after the keys, as Lura appends it', async (t) => {
  const other = pki.issue('b.test')
  const settings = tlsSettings({ keys: [pair], public_key: other.cert, private_key: other.key })!
  t.same(settings.keys.map(({ at }) => at), ['/tls/keys/0', '/tls'])
  const { options } = loadServerTls(settings)
  t.same(options?.cert, pki.server.certPem, 'the first is the default')
  t.type(options?.SNICallback, 'function', 'two certificates: chosen by the host the client names')
})

t.test('mTLS: client certificates required, trusted as Lura trusts them', async (t) => {
  const strict = load({ keys: [pair], enable_mtls: true, ca_certs: [pki.ca], disable_system_ca_pool: true }).options
  t.equal(strict?.requestCert, true)
  t.equal(strict?.rejectUnauthorized, true)
  t.same(strict?.ca, [pki.caPem.toString().trim(), pki.server.certPem.toString()], 'ca_certs, then the gateway\'s own certificates')
  const withSystem = load({ keys: [pair], enable_mtls: true, ca_certs: [pki.ca] }).options
  t.equal((withSystem?.ca as string[]).length, rootCertificates.length + 2, "the system's CAs too, unless disable_system_ca_pool")
  const garbage = join(pki.dir, 'not-a-ca.pem')
  writeFileSync(garbage, 'nothing here')
  t.same(said({ keys: [pair], enable_mtls: true, ca_certs: [join(pki.dir, 'no-ca.pem'), garbage] }), [
    `/tls/ca_certs/0: cannot read ${pki.dir}/no-ca.pem: no such file`,
    `/tls/ca_certs/1: ${garbage} holds no PEM certificate`,
  ])
  t.same(said({ keys: [pair], ca_certs: [pki.ca], disable_system_ca_pool: true }), [
    'warning /tls/ca_certs: is ignored: client certificates are asked for only with "enable_mtls": true (as in KrakenD)',
    'warning /tls/disable_system_ca_pool: is ignored: client certificates are asked for only with "enable_mtls": true (as in KrakenD)',
  ])
})
