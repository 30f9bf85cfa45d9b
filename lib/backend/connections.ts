import http2, { type ClientHttp2Session } from 'node:http2'
import https from 'node:https'
import http2wrapper from 'http2-wrapper'
import { Pool } from 'undici'
import type { BackendTls } from './options.js'

/** A session or socket left idle this long is closed (the server may drop it earlier: that is fine). */
const IDLE_MS = 5_000

/**
 * The backend connections one owner shares: one keep-alive undici `Pool` per origin (and TLS
 * profile) for HTTP/1.1, one HTTP/2 session per origin. Creating them per request would pay a
 * TCP (and TLS) handshake each time; sharing them across backends of the same origin reuses warm
 * sockets. Each gateway has its own, so closing one gateway never closes another's connections;
 * backends called outside a gateway use {@link sharedConnections}.
 */
export class Connections {
  private readonly pools = new Map<string, Pool>()
  private readonly h2cSessions = new Map<string, ClientHttp2Session>()
  private h2Agent: http2wrapper.Agent | undefined
  private httpsAgent: https.Agent | undefined

  /** The pool for an origin; backends with their own TLS settings get a pool of their own. */
  poolFor(origin: string, tls?: BackendTls): Pool {
    const key = tls ? `${origin} #${profileOf(tls)}` : origin
    let pool = this.pools.get(key)
    if (!pool) {
      pool = new Pool(origin, { keepAliveTimeout: IDLE_MS, ...(tls ? { connect: { ...tls } } : {}) })
      this.pools.set(key, pool)
    }
    return pool
  }

  /**
   * The h2c (cleartext, prior-knowledge) session for an origin. http2-wrapper's agent only speaks
   * TLS, so cleartext sessions are kept here and handed to it. A session that fails, closes or is
   * told to go away is forgotten; the next request opens a new one.
   */
  h2cSession(origin: string): ClientHttp2Session {
    const existing = this.h2cSessions.get(origin)
    if (existing && !existing.closed && !existing.destroyed) return existing
    const session = http2.connect(origin)
    const forget = () => {
      if (this.h2cSessions.get(origin) === session) this.h2cSessions.delete(origin)
    }
    // The failure reaches each pending stream (and so its request); the session only has to go.
    session.on('error', forget)
    session.on('close', forget)
    session.on('goaway', forget)
    session.setTimeout(IDLE_MS, () => {
      forget()
      session.close()
    })
    this.h2cSessions.set(origin, session)
    return session
  }

  /** The agent for HTTP/2 over TLS (it keys sessions by origin and TLS options itself). */
  http2Agent(): http2wrapper.Agent {
    this.h2Agent ??= new http2wrapper.Agent({ timeout: IDLE_MS })
    return this.h2Agent
  }

  /** The keep-alive agent for `'auto'` backends whose server chose HTTP/1.1 by ALPN. */
  httpsFallbackAgent(): https.Agent {
    this.httpsAgent ??= new https.Agent({ keepAlive: true, timeout: IDLE_MS })
    return this.httpsAgent
  }

  /**
   * Closes the pools and HTTP/2 sessions of origins not in `origins` (after a reload, the hosts
   * its file no longer names), each once its requests in flight have ended; the others stay warm.
   * A later call to a closed origin opens it again.
   *
   * @example
   * await connections.retain(new Set(['http://users:8080']))   // http://carts:8080's pool closes
   */
  async retain(origins: ReadonlySet<string>): Promise<void> {
    const closing: Promise<unknown>[] = []
    for (const [key, pool] of this.pools) {
      if (origins.has(originOf(key))) continue
      this.pools.delete(key)
      closing.push(pool.close().catch(() => undefined))
    }
    for (const [origin, session] of this.h2cSessions) {
      if (origins.has(origin)) continue
      this.h2cSessions.delete(origin)
      closing.push(closeSession(session))
    }
    await Promise.all(closing)
  }

  /**
   * Graceful shutdown: stops reusing connections and closes them once their in-flight requests
   * end (HTTP/1.1 pools and HTTP/2 sessions), then forgets them, so later calls open fresh ones.
   * Call it after the server has drained its own requests.
   */
  async close(): Promise<void> {
    const closing: Promise<unknown>[] = []
    for (const pool of this.pools.values()) closing.push(pool.close().catch(() => undefined))
    this.pools.clear()
    for (const session of this.h2cSessions.values()) closing.push(closeSession(session))
    this.h2cSessions.clear()
    if (this.h2Agent) {
      const agent = this.h2Agent
      this.h2Agent = undefined
      const sessions = Object.values(agent.sessions).flat()
      closing.push(Promise.all(sessions.map(closeSession)).then(() => agent.destroy()))
    }
    if (this.httpsAgent) {
      this.httpsAgent.destroy()
      this.httpsAgent = undefined
    }
    await Promise.all(closing)
  }
}

/** The connections of backends called outside any gateway (operators used on their own, tests). */
export const sharedConnections = new Connections()

/** Closes {@link sharedConnections}: for programs that call backends without a gateway. A gateway closes its own on `close()`. */
export function closeAll(): Promise<void> {
  return sharedConnections.close()
}

/** The origin of a pool's key (`http://users:8080 #2`: a TLS profile's pool). */
function originOf(key: string): string {
  const mark = key.indexOf(' #')
  return mark === -1 ? key : key.slice(0, mark)
}

function closeSession(session: ClientHttp2Session): Promise<void> {
  if (session.closed || session.destroyed) return Promise.resolve()
  return new Promise((resolve) => session.close(() => resolve()))
}

const tlsProfiles = new WeakMap<BackendTls, number>()
let lastProfile = 0

function profileOf(tls: BackendTls): number {
  let id = tlsProfiles.get(tls)
  if (id === undefined) {
    id = ++lastProfile
    tlsProfiles.set(tls, id)
  }
  return id
}
