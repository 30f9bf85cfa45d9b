import type { Http2Server, Http2SecureServer, ServerHttp2Session } from 'node:http2'

/**
 * The HTTP/2 connections of a server, which a server's `close()` leaves open (a session may
 * start new streams as long as it lives): told to go away (GOAWAY) when the gateway closes, their
 * streams in flight left to finish; cut when the drain is over. With an idle time, a connection
 * with no stream open for that long is told to go away too, as Go's `IdleTimeout` does.
 *
 * @example
 * const sessions = new Http2Sessions(server, 5000)
 * server.close(); sessions.goAway()   // no new streams; in-flight ones finish
 * sessions.cut()                      // what is left, after the grace period
 */
export class Http2Sessions {
  /** Every live session, with its open streams (counted when there is an idle time). */
  private readonly open = new Map<ServerHttp2Session, number>()
  private closing = false

  constructor(server: Http2Server | Http2SecureServer, idleMs?: number) {
    server.on('session', (session: ServerHttp2Session) => {
      if (this.closing) return void session.close()
      this.open.set(session, 0)
      session.once('close', () => this.open.delete(session))
      if (!idleMs) return
      session.on('stream', (stream) => {
        this.open.set(session, (this.open.get(session) ?? 0) + 1)
        stream.once('close', () => this.open.has(session) && this.open.set(session, this.open.get(session)! - 1))
      })
      // the timer runs while no frame comes or goes; a session with a stream waiting on its backend is not idle
      session.setTimeout(idleMs, () => this.open.get(session) === 0 && session.close())
    })
  }

  /** GOAWAY to every session: no new streams; each closes once its streams are done. */
  goAway(): void {
    this.closing = true
    for (const session of this.open.keys()) session.close()
  }

  /** Cuts every session left. */
  cut(): void {
    for (const session of this.open.keys()) session.destroy()
  }
}
