import { writeFileSync } from 'node:fs'
import { request as httpsRequest } from 'node:https'
import { join } from 'node:path'
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls'
import t from 'tap'
import { makePki, type Issued } from '../../helpers/certificates.js'
import { json, startBackends } from '../../helpers/http-backend.js'
import { curl, h2Request, h2Session } from '../../helpers/http2-client.js'
import { cli, runGateway, writeConfig } from '../../helpers/run-cli.js'

const pki = makePki(t)
const keys = [{ public_key: pki.server.cert, private_key: pki.server.key }]

function portOf(base: string): number {
  return Number(new URL(base).port)
}

/** A TLS handshake with the gateway: what was agreed, or the error that refused it. */
function handshake(port: number, options: ConnectionOptions = {}): Promise<{ protocol: string | null; cipher: string; subject: string } | { error: string }> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.caPem, ...options }, () => {
      const subject = socket.getPeerCertificate().subject?.CN ?? ''
      resolve({ protocol: socket.getProtocol(), cipher: socket.getCipher().name, subject })
      socket.destroy()
    })
    socket.on('error', (error: Error & { code?: string }) => resolve({ error: error.code ?? error.message }))
  })
}

/** A whole HTTPS request over HTTP/1.1 (node:https), with a client certificate or not: its status and body, or the error. */
function https1(port: number, path: string, client?: Issued): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port, path, servername: 'localhost', ca: pki.caPem, agent: false, ...(client ? { cert: client.certPem, key: client.keyPem } : {}) },
      (res) => {
        let body = ''
        res.on('data', (chunk: Buffer) => (body += chunk.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
        res.on('error', (error: Error & { code?: string }) => resolve({ error: error.code ?? error.message }))
      },
    )
    req.on('error', (error: Error & { code?: string }) => resolve({ error: error.code ?? error.message }))
    req.end()
  })
}

t.test('HTTPS: HTTP/2 when the client offers it (ALPN), HTTP/1.1 otherwise, on one port; no plain HTTP', async (t) => {
  const [users] = await startBackends(t, json({ name: 'Ada' }))
  const { base, gateway } = await runGateway(t, { tls: { keys }, endpoints: [{ endpoint: '/users/{id}', backend: [{ host: [users!.url], url_pattern: '/users/{id}' }] }] })
  const port = portOf(base)
  t.match(gateway.output(), /"tls":true.*"msg":"rxgate listening"/)
  const https = `https://localhost:${port}/users/1`
  const h2 = await curl('--http2', '--cacert', pki.ca, '-w', '\\n%{http_version}', https)
  t.same(h2.stdout.split('\n'), ['{"name":"Ada"}', '2'], 'curl --http2: HTTP/2')
  const h1 = await curl('--http1.1', '--cacert', pki.ca, '-w', '\\n%{http_version}', https)
  t.same(h1.stdout.split('\n'), ['{"name":"Ada"}', '1.1'], 'curl --http1.1: HTTP/1.1, same port')
  const session = await h2Session(t, `https://localhost:${port}`, { ca: pki.caPem })
  t.equal(session.alpnProtocol, 'h2', "node's HTTP/2 client: h2 by ALPN")
  const answer = await h2Request(session, '/users/2')
  t.equal(answer.status, 200)
  t.equal(answer.headers['x-rxgate-completed'], 'true')
  t.equal(answer.body, '{"name":"Ada"}')
  t.same(await https1(port, '/users/3'), { status: 200, body: '{"name":"Ada"}' }, 'a client without ALPN: HTTP/1.1')
  await t.rejects(fetch(`http://127.0.0.1:${port}/users/4`), 'plain HTTP is not served: HTTPS only, as KrakenD')
})

t.test("KrakenD's defaults: TLS 1.3 only, on curves P-521, P-384 and P-256", async (t) => {
  const { base } = await runGateway(t, { tls: { keys }, endpoints: [] })
  const port = portOf(base)
  t.match(await handshake(port), { protocol: 'TLSv1.3' })
  t.match(await handshake(port, { maxVersion: 'TLSv1.2' }), { error: /^ERR_SSL_/ }, 'a TLS 1.2 client is refused')
  const old = await curl('--tls-max', '1.2', '--cacert', pki.ca, `https://localhost:${port}/__health`)
  t.not(old.code, 0, 'so is curl --tls-max 1.2')
  t.match(await handshake(port, { ecdhCurve: 'P-256' }), { protocol: 'TLSv1.3' })
  t.match(await handshake(port, { ecdhCurve: 'X25519' }), { error: /^ERR_SSL_/ }, 'X25519 is not among them')
})

t.test('min_version, cipher_suites and curve_preferences, from Go numbers', async (t) => {
  const { base } = await runGateway(t, {
    tls: { keys, min_version: 'TLS12', cipher_suites: [49195, 4865], curve_preferences: [29] },
    endpoints: [],
  })
  const port = portOf(base)
  // in TLS 1.2 the client must also name the curve of the certificate's key (P-256) for an ECDSA suite
  t.match(await handshake(port, { maxVersion: 'TLSv1.2', ecdhCurve: 'X25519:P-256' }), { protocol: 'TLSv1.2', cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256' }, 'TLS 1.2 served, with the suite listed')
  t.match(await handshake(port, { maxVersion: 'TLSv1.2', ecdhCurve: 'X25519:P-256', ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384' }), { error: /^ERR_SSL_/ }, 'a suite not listed is refused')
  t.match(await handshake(port, { ecdhCurve: 'X25519' }), { protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' }, 'TLS 1.3 with the TLS 1.3 suite listed')
  t.match(await handshake(port, { ecdhCurve: 'P-256' }), { error: /^ERR_SSL_/ }, 'a curve not listed is refused')
})

t.test('mTLS: a client certificate signed by ca_certs is served; none, or another CA\'s, is refused in the handshake', async (t) => {
  const [users] = await startBackends(t, json({ name: 'Ada' }))
  const { base } = await runGateway(t, {
    tls: { keys, enable_mtls: true, ca_certs: [pki.ca], disable_system_ca_pool: true },
    endpoints: [{ endpoint: '/users/{id}', backend: [{ host: [users!.url], url_pattern: '/users/{id}' }] }],
  })
  const port = portOf(base)
  t.same(await https1(port, '/users/1', pki.client), { status: 200, body: '{"name":"Ada"}' }, 'HTTP/1.1 with the client certificate')
  const session = await h2Session(t, `https://localhost:${port}`, { ca: pki.caPem, cert: pki.client.certPem, key: pki.client.keyPem })
  t.equal((await h2Request(session, '/users/2')).status, 200, 'HTTP/2 with the client certificate')
  const withCurl = await curl('--cacert', pki.ca, '--cert', pki.client.cert, '--key', pki.client.key, `https://localhost:${port}/users/3`)
  t.equal(withCurl.stdout, '{"name":"Ada"}')
  t.match(await https1(port, '/users/4'), { error: /^(ERR_SSL_|ECONNRESET)/ }, 'no client certificate: refused, no answer')
  t.match(await https1(port, '/users/5', pki.stranger), { error: /^(ERR_SSL_|ECONNRESET)/ }, "another CA's certificate: refused")
  const bare = await curl('--cacert', pki.ca, `https://localhost:${port}/users/6`)
  t.not(bare.code, 0, 'curl without a certificate fails')
  t.equal(bare.stdout, '')
})

t.test('several certificates: the one naming the host the client asks for (SNI), else the first; the older single pair too', async (t) => {
  const other = pki.issue('b.test')
  const { base } = await runGateway(t, { tls: { keys, public_key: other.cert, private_key: other.key }, endpoints: [] })
  const port = portOf(base)
  t.match(await handshake(port, { servername: 'b.test' }), { subject: 'b.test' })
  t.match(await handshake(port, { servername: 'localhost' }), { subject: 'localhost' })
  t.match(await handshake(port, { servername: 'unknown.test', checkServerIdentity: () => undefined }), { subject: 'localhost' }, 'no match: the first')
})

t.test('"disabled": true serves plain HTTP', async (t) => {
  const { base } = await runGateway(t, { tls: { disabled: true, keys: [{ public_key: '/nowhere/cert.pem', private_key: '/nowhere/key.pem' }] }, endpoints: [] })
  t.equal((await fetch(`${base}/__health`)).status, 200)
})

t.test('bad files: one clear line each, with its JSON path and the file, at check and at run', async (t) => {
  const garbage = join(pki.dir, 'garbage-ca.pem')
  writeFileSync(garbage, 'this is not a certificate\n')
  const file = writeConfig({
    version: 3,
    tls: {
      keys: [
        { public_key: pki.server.cert, private_key: join(pki.dir, 'missing.key') },
        { public_key: pki.client.cert, private_key: pki.server.key },
      ],
      enable_mtls: true,
      ca_certs: [join(pki.dir, 'missing-ca.pem'), garbage],
      cipher_suites: [5],
    },
    endpoints: [],
  })
  const check = await cli('check', '-c', file)
  t.equal(check.code, 1)
  t.same(check.output.trim().split('\n'), [
    `rxgate: ${file} is not valid (5 problems):`,
    `/tls/ca_certs/0: cannot read ${pki.dir}/missing-ca.pem: no such file`,
    `/tls/ca_certs/1: ${garbage} holds no PEM certificate`,
    '/tls/cipher_suites/0: 5 (RC4-SHA) is not offered by Node\'s OpenSSL 3, which has no RC4 nor 3DES: remove it',
    `/tls/keys/0/private_key: cannot read ${pki.dir}/missing.key: no such file`,
    `/tls/keys/1/private_key: ${pki.server.key} is not the private key of ${pki.client.cert}`,
  ])
  const run = await cli('run', '-c', file)
  t.equal(run.code, 1)
  t.match(run.output, `/tls/keys/0/private_key: cannot read ${pki.dir}/missing.key: no such file`)
  t.notMatch(run.output, /at .*\.js:\d+/, 'no stack trace')
  const noKeys = await cli('check', '-c', writeConfig({ version: 3, tls: {}, endpoints: [] }))
  t.equal(noKeys.code, 1)
  t.match(noKeys.output, '/tls: needs a certificate and its private key')
})
