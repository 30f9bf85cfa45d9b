import http2, { type ClientHttp2Session } from 'node:http2'
import https from 'node:https'
import http2wrapper from 'http2-wrapper'
import { Pool } from 'undici'
import type { BackendTls } from './options.js'

/**
 * The connections every backend shares: one keep-alive undici `Pool` per origin (and TLS profile)
 * for HTTP/1.1, one HTTP/2 session per origin. Creating them per request would pay a TCP (and TLS)
 * handshake each time; sharing them across backends of the same origin reuses warm sockets.
 */
const pools = new Map<string, Pool>()
const h2cSessions = new Map<string, ClientHttp2Session>()
let h2Agent: http2wrapper.Agent | undefined
let httpsAgent: https.Agent | undefined

/** A session or socket left idle this long is closed (the server may drop it earlier: that is fine). */
const IDLE_MS = 5_000

const tlsProfiles = new WeakMap<BackendTls, number>()
let lastProfile = 0

/** The pool for an origin; backends with their own TLS settings get a pool of their own. */
export function poolFor(origin: string, tls?: BackendTls): Pool {
  const key = tls ? `${origin} #${profileOf(tls)}` : origin
  let pool = pools.get(key)
  if (!pool) {
    pool = new Pool(origin, { keepAliveTimeout: IDLE_MS, ...(tls ? { connect: { ...tls } } : {}) })
    pools.set(key, pool)
  }
  return pool
}

/**
 * The h2c (cleartext, prior-knowledge) session for an origin. http2-wrapper's agent only speaks
 * TLS, so cleartext sessions are kept here and handed to it. A session that fails, closes or is
 * told to go away is forgotten; the next request opens a new one.
 */
export function h2cSession(origin: string): ClientHttp2Session {
  const existing = h2cSessions.get(origin)
  if (existing && !existing.closed && !existing.destroyed) return existing
  const session = http2.connect(origin)
  const forget = () => {
    if (h2cSessions.get(origin) === session) h2cSessions.delete(origin)
  }
  // The failure reaches each pending stream (and so its request); the session only has to go.
  session.on('error', forget)
  session.on('close', forget)
  session.on('goaway', forget)
  session.setTimeout(IDLE_MS, () => {
    forget()
    session.close()
  })
  h2cSessions.set(origin, session)
  return session
}

/** The shared agent for HTTP/2 over TLS (it keys sessions by origin and TLS options itself). */
export function http2Agent(): http2wrapper.Agent {
  h2Agent ??= new http2wrapper.Agent({ timeout: IDLE_MS })
  return h2Agent
}

/** The keep-alive agent for `'auto'` backends whose server chose HTTP/1.1 by ALPN. */
export function httpsFallbackAgent(): https.Agent {
  httpsAgent ??= new https.Agent({ keepAlive: true, timeout: IDLE_MS })
  return httpsAgent
}

/**
 * Graceful shutdown: stops reusing connections and closes them once their in-flight requests end
 * (HTTP/1.1 pools and HTTP/2 sessions), then forgets them, so later calls open fresh ones. Call it
 * after the server has drained its own requests.
 */
export async function closeAll(): Promise<void> {
  const closing: Promise<unknown>[] = []
  for (const pool of pools.values()) closing.push(pool.close().catch(() => undefined))
  pools.clear()
  for (const session of h2cSessions.values()) closing.push(closeSession(session))
  h2cSessions.clear()
  if (h2Agent) {
    const agent = h2Agent
    h2Agent = undefined
    const sessions = Object.values(agent.sessions).flat()
    closing.push(Promise.all(sessions.map(closeSession)).then(() => agent.destroy()))
  }
  if (httpsAgent) {
    httpsAgent.destroy()
    httpsAgent = undefined
  }
  await Promise.all(closing)
}

function closeSession(session: ClientHttp2Session): Promise<void> {
  if (session.closed || session.destroyed) return Promise.resolve()
  return new Promise((resolve) => session.close(() => resolve()))
}

function profileOf(tls: BackendTls): number {
  let id = tlsProfiles.get(tls)
  if (id === undefined) {
    id = ++lastProfile
    tlsProfiles.set(tls, id)
  }
  return id
}
