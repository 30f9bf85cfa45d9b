import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { mkdtempSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SignJWT, exportJWK, generateKeyPair, type JWK, type JWTPayload } from 'jose'
import type { Test } from 'tap'

/** A signing key of a test: its JWKs and a function that signs claims with it. */
export interface TestKey {
  readonly alg: string
  readonly kid: string
  /** What a JWK set publishes: the public key (the secret itself for HMAC). */
  readonly publicJwk: JWK
  readonly privateJwk: JWK
  /** A compact JWT of these claims, `kid` in its header unless the header says otherwise. */
  sign(claims: JWTPayload, header?: Record<string, unknown>): Promise<string>
}

/** A fresh key for `alg` (HS256: a random 32-byte secret), with its `kid` in its JWKs. */
export async function testKey(alg: string, kid: string): Promise<TestKey> {
  if (alg.startsWith('HS')) {
    const secret = crypto.getRandomValues(new Uint8Array(32))
    const jwk: JWK = { kty: 'oct', kid, k: Buffer.from(secret).toString('base64url') }
    return { alg, kid, publicJwk: jwk, privateJwk: jwk, sign: (claims, header) => signWith(claims, alg, kid, secret, header) }
  }
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) })
  return {
    alg,
    kid,
    publicJwk: { ...(await exportJWK(publicKey)), kid },
    privateJwk: { ...(await exportJWK(privateKey)), kid },
    sign: (claims, header) => signWith(claims, alg, kid, privateKey, header),
  }
}

function signWith(claims: JWTPayload, alg: string, kid: string, key: Parameters<SignJWT['sign']>[0], header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg, kid, ...header }).sign(key)
}

/** A JWK set written to a temporary file; its path. */
export function jwkFile(keys: readonly JWK[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'rxgate-jwk-')), 'jwks.json')
  writeFileSync(file, JSON.stringify({ keys }))
  return file
}

/** A JWK server on loopback: the keys it serves can change (rotation), and it counts what it is asked. */
export interface JwkServer {
  readonly url: string
  /** Requests it received. */
  hits: number
  /** The keys it serves from now on. */
  keys: JWK[]
  /** What it does instead of answering: nothing (hang) or fail with a status. */
  mode: 'serve' | 'hang' | 'fail'
  close(): Promise<void>
}

/** Starts a JWK server (plain HTTP, or HTTPS with `tls`), closed when the test ends. */
export async function startJwkServer(t: Test, keys: JWK[], tls?: { key: Buffer; cert: Buffer }): Promise<JwkServer> {
  const state = { hits: 0, keys, mode: 'serve' as JwkServer['mode'] }
  const handler = (_req: IncomingMessage, res: ServerResponse) => {
    state.hits++
    if (state.mode === 'hang') return
    if (state.mode === 'fail') return void res.writeHead(503).end('down')
    const body = JSON.stringify({ keys: state.keys })
    res.writeHead(200, { 'content-type': 'application/jwk-set+json', 'content-length': Buffer.byteLength(body) }).end(body)
  }
  const server = tls ? createHttpsServer(tls, handler) : createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  t.teardown(close)
  return Object.assign(state, { url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/jwks.json`, close }) as JwkServer
}
