/**
 * Scenario "middlewares": what a security middleware costs the proxy of one backend, as a ratio
 * to the same endpoint without it, all in one run, rounds alternated. `auth/validator` with an
 * RS256 token whose key comes from a local JWK set (the verified token is cached, as a client
 * sends the same token many times), and `security/cors` on an actual request from an allowed
 * origin. The target: a JWT-validated endpoint at 0.85x the plain one or better. And the traffic
 * middlewares: `qos/ratelimit/router` under its limit, in memory (target: 0.95x the plain one or
 * better) and in Redis (`qos/ratelimit/router/redis`, a redis-server the scenario starts: its
 * cost reported), and `qos/http-cache` answering from its cache: the same document from a backend
 * that sends `Cache-Control: max-age=3600` (a small server of this process, called once: nginx's
 * fixture backends send no Cache-Control), so every measured request is a hit.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SignJWT, exportJWK, generateKeyPair } from 'jose'
import type { Backends } from '../backends.js'
import { fixtures } from '../fixtures.js'
import { startRedisServer } from '../redis-server.js'
import { loadFacts } from '../report.js'
import { alternate, type Target } from '../rounds.js'
import { startRxgateCli, type RxgateCli } from '../rxgate-cli.js'
import type { Scenario } from '../scenario.js'
import { loadTable, roundErrors, type Ratio } from '../table.js'

const PATH = '/users/1'
const ORIGIN = 'https://shop.example'
const TARGET_RATIO = 0.85
const RATE_LIMIT_TARGET = 0.95
/** Far above what wrk reaches here: every measured request is let through, and still counted. */
const UNREACHED = { max_rate: 10_000_000, client_max_rate: 10_000_000, strategy: 'ip' }

const RATIOS: Ratio[] = [
  { label: 'JWT RS256 / plain', numerator: 'rxgate + auth/validator', denominator: 'rxgate' },
  { label: 'CORS / plain', numerator: 'rxgate + security/cors', denominator: 'rxgate' },
  { label: 'rate limit, memory / plain', numerator: 'rxgate + qos/ratelimit/router', denominator: 'rxgate' },
  { label: 'rate limit, Redis / plain', numerator: 'rxgate + qos/ratelimit/router/redis', denominator: 'rxgate' },
  { label: 'HTTP cache hit / plain', numerator: 'rxgate + qos/http-cache', denominator: 'rxgate' },
]

/** A key pair, its public JWK set written to `dir`, and a token it signed, valid for a day. */
async function signedToken(dir: string): Promise<{ jwks: string; token: string }> {
  const { publicKey, privateKey } = await generateKeyPair('RS256')
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'RS256', use: 'sig' }
  const jwks = join(dir, 'jwks.json')
  writeFileSync(jwks, JSON.stringify({ keys: [jwk] }))
  const token = await new SignJWT({ sub: 'ada', roles: ['user'] })
    .setProtectedHeader({ alg: 'RS256', kid: 'bench' })
    .setIssuedAt()
    .setExpirationTime('1d')
    .sign(privateKey)
  return { jwks, token }
}

function file(backends: Backends, extra: { service?: object; endpoint?: object; backend?: object; host?: string }): object {
  return {
    version: 3,
    timeout: '800ms',
    extra_config: { router: { disable_access_log: true }, ...extra.service },
    endpoints: [
      {
        endpoint: '/users/{id}',
        extra_config: extra.endpoint ?? {},
        backend: [{ host: [extra.host ?? backends.urls.users], url_pattern: '/users/{id}', extra_config: extra.backend ?? {} }],
      },
    ],
  }
}

/** The users document with `Cache-Control: max-age=3600`, from this process: the cached endpoint calls it once. */
async function cacheableUsers(): Promise<{ url: string; calls: () => number; close: () => void }> {
  const body = Buffer.from(fixtures.users.body)
  let calls = 0
  const server = createServer((_req, res) => {
    calls++
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length, 'cache-control': 'public, max-age=3600' }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls: () => calls, close: () => server.close() }
}

export const middlewares: Scenario = async (context) => {
  console.log('\n# middlewares: one backend proxied plain, behind auth/validator (RS256), security/cors, qos/ratelimit/router (memory, Redis), from qos/http-cache')
  const backends = await context.backends()
  const dir = mkdtempSync(join(tmpdir(), 'rxgate-bench-jwt-'))
  const started: RxgateCli[] = []
  const origin = await cacheableUsers()
  const redis = await startRedisServer()
  if (typeof redis === 'string') console.warn(`warning: ${redis}: the Redis-backed rate limit is not measured`)
  try {
    const { jwks, token } = await signedToken(dir)
    const plain = await startRxgateCli(file(backends, {}), PATH)
    started.push(plain)
    const jwt = await startRxgateCli(file(backends, { endpoint: { 'auth/validator': { alg: 'RS256', jwk_local_path: jwks } } }), '/__health')
    started.push(jwt)
    const cors = await startRxgateCli(file(backends, { service: { 'security/cors': { allow_origins: [ORIGIN], allow_methods: ['GET'] } } }), PATH)
    started.push(cors)
    const cached = await startRxgateCli(file(backends, { host: origin.url, backend: { 'qos/http-cache': {} } }), PATH)
    started.push(cached)
    const limited = await startRxgateCli(file(backends, { endpoint: { 'qos/ratelimit/router': UNREACHED } }), PATH)
    started.push(limited)
    const shared =
      typeof redis === 'string'
        ? undefined
        : await startRxgateCli(
            file(backends, {
              service: { redis: { connection_pools: [{ name: 'shared', address: redis.address }] } },
              endpoint: { 'qos/ratelimit/router/redis': { connection_pool: 'shared', ...UNREACHED } },
            }),
            PATH,
          )
    if (shared) started.push(shared)
    const targets: Target[] = [
      { name: 'rxgate', url: `${plain.base}${PATH}` },
      { name: 'rxgate + auth/validator', url: `${jwt.base}${PATH}`, headers: { Authorization: `Bearer ${token}` } },
      { name: 'rxgate + security/cors', url: `${cors.base}${PATH}`, headers: { Origin: ORIGIN } },
      { name: 'rxgate + qos/ratelimit/router', url: `${limited.base}${PATH}` },
      ...(shared ? [{ name: 'rxgate + qos/ratelimit/router/redis', url: `${shared.base}${PATH}` }] : []),
      { name: 'rxgate + qos/http-cache', url: `${cached.base}${PATH}` },
    ]
    await checkAnswers(targets)
    const figures = await alternate(targets, context.rounds, context.seconds)
    if (origin.calls() !== 1) throw new Error(`the cached endpoint called its backend ${origin.calls()} times, not once`)
    const table = loadTable(figures, shared ? RATIOS : RATIOS.filter((ratio) => !ratio.numerator.endsWith('/redis')))
    console.log(`\n${table}`)
    const errors = roundErrors(figures)
    for (const error of errors) console.warn(`warning: ${error}`)
    const redisFact = typeof redis === 'string' ? `Redis: not measured (${redis})` : `Redis: redis-server ${redis.version} on loopback, beside the rest`
    return `## Middlewares: what authentication, CORS, rate limits and a cache cost a proxied request

\`GET ${PATH}\` proxied as in the proxy scenario (one \`json\` backend, access log off), through
one CLI each: the plain endpoint; the same endpoint with \`auth/validator\` (\`alg: RS256\`, keys from a
local JWK set; every request carries the same valid token, so its verification is cached after the
first); the plain endpoint behind the service's \`security/cors\` (\`Origin: ${ORIGIN}\`, an
allowed origin, on every request); with \`qos/ratelimit/router\` (\`max_rate\` and, per client IP,
\`client_max_rate\`, both far above what wrk reaches: every request takes a token from both
buckets and is let through), in memory and in Redis (\`qos/ratelimit/router/redis\`: one script
per request); and the same document through \`qos/http-cache\`, from a backend that
sends \`Cache-Control: public, max-age=3600\` (a small server of the bench's own process: nginx's
fixture backends send no Cache-Control), called once, so that every measured request is a cache
hit. Targets: the validated endpoint at ${TARGET_RATIO}x the plain one or better, the rate-limited one
(in memory) at ${RATE_LIMIT_TARGET}x or better.

${loadFacts(context, backends, 'contender', [redisFact, ...(errors.length > 0 ? [`errors during the run: ${errors.join('; ')}`] : [])])}

${table}

Ratios are of median req/s (above 1: the first is faster) and of median p99 (below 1: the first answers sooner).
`
  } finally {
    for (const cli of started) await cli.process.stop()
    if (typeof redis !== 'string') await redis.stop()
    origin.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Each contender answers 200 with the backend's document (and CORS its header) before timing. */
async function checkAnswers(targets: readonly Target[]): Promise<void> {
  for (const target of targets) {
    const res = await fetch(target.url, { headers: target.headers })
    if (res.status !== 200) throw new Error(`${target.name} answered ${res.status}: ${(await res.text()).slice(0, 300)}`)
    await res.arrayBuffer()
    if (target.headers?.Origin && res.headers.get('access-control-allow-origin') !== ORIGIN) {
      throw new Error(`${target.name} did not allow ${ORIGIN}`)
    }
  }
  const denied = await fetch(targets[1]!.url)
  if (denied.status !== 401) throw new Error(`the validated endpoint answered ${denied.status} without a token, not 401`)
}
