import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import { existsSync } from 'node:fs'
import { connect, isIP, type Socket } from 'node:net'
import { hostname } from 'node:os'
import { goTimeLayout } from './go-time.js'

/**
 * Writing to syslog as Go's log/syslog does, which KrakenD uses: by default to the local syslog
 * socket (`/dev/log`, `/var/run/syslog` or `/var/run/log`, the first that exists), each line
 * `<PRI>Jan _2 15:04:05 TAG[PID]: MESSAGE`; or to a syslog server over UDP, each line
 * `<PRI>2006-01-02T15:04:05Z07:00 HOST TAG[PID]: MESSAGE`. `RXGATE_SYSLOG` names another
 * address: `unix:///path` (a stream socket, one line each) or `udp://host:514`.
 *
 * Go writes to the local socket as datagrams first, then as a stream; Node.js has no unix
 * datagram sockets, so rxgate writes a stream, which a daemon whose socket takes only datagrams
 * (journald's and most rsyslog set-ups' /dev/log) refuses: that is said at once on stderr, with
 * the UDP address to name instead.
 */

/** Where syslog lines go. */
export type SyslogAddress =
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'udp'; readonly host: string; readonly port: number }

/** KrakenD's facilities (`syslog_facility`): local0 to local7. */
export const FACILITIES = ['local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'] as const
export type Facility = (typeof FACILITIES)[number]

const LOCAL_SOCKETS = ['/dev/log', '/var/run/syslog', '/var/run/log']
const LOCAL_STAMP = goTimeLayout('Jan _2 15:04:05')
const NETWORK_STAMP = goTimeLayout('2006-01-02T15:04:05Z07:00')

/**
 * The syslog address `RXGATE_SYSLOG` names, else the local socket Go's log/syslog would use.
 * Throws with what to do when it cannot be read, or when there is no local socket.
 *
 * @example
 * syslogAddress('udp://127.0.0.1:514') // { kind: 'udp', host: '127.0.0.1', port: 514 }
 */
export function syslogAddress(setting: string | undefined): SyslogAddress {
  if (setting === undefined || setting === '') {
    const path = LOCAL_SOCKETS.find((candidate) => existsSync(candidate))
    if (path === undefined) {
      throw new Error(`no local syslog socket (${LOCAL_SOCKETS.join(', ')}): start a syslog daemon, or name one with RXGATE_SYSLOG=udp://host:514`)
    }
    return { kind: 'unix', path }
  }
  const match = /^(unixgram|unix|udp):\/\/(.+)$/.exec(setting)
  if (match?.[1] === 'udp') {
    const address = /^\[?([^\]]+?)\]?:(\d+)$/.exec(match[2]!)
    const port = Number(address?.[2])
    if (address && port > 0 && port < 65536) return { kind: 'udp', host: address[1]!, port }
  } else if (match?.[1] === 'unix') {
    return { kind: 'unix', path: match[2]! }
  } else if (match) {
    throw new Error(`RXGATE_SYSLOG: Node.js cannot write to a unix datagram socket ("${setting}"): name the daemon's UDP input, udp://127.0.0.1:514, or a stream socket, unix:///path`)
  }
  throw new Error(`RXGATE_SYSLOG must be unix:///path or udp://host:port, not "${setting}"`)
}

/** pino's level number as a syslog severity, as KrakenD maps its levels: CRITICAL 2, ERROR 3, WARNING 4, INFO 6, DEBUG 7. */
function severity(level: number): number {
  if (level >= 60) return 2
  if (level >= 50) return 3
  if (level >= 40) return 4
  if (level >= 30) return 6
  return 7
}

/**
 * Sends lines to syslog. A line that cannot be sent (the daemon is restarting, a full buffer) is
 * dropped, never retried and never in the way of a request: the first drop of a run of them is
 * said once on stderr.
 *
 * @example
 * const syslog = new SyslogWriter({ address: syslogAddress(undefined), facility: 'local3', tag: 'rxgate' })
 * syslog.write(40, 'WARNING > a backend is slow')
 */
export class SyslogWriter {
  private readonly facility: number
  private readonly pid = process.pid
  private readonly host = hostname()
  private readonly send: (line: Buffer) => void
  private readonly closeSocket: () => void
  private failing = false

  constructor(private readonly options: { readonly address: SyslogAddress; readonly facility: Facility; readonly tag: string }) {
    this.facility = 16 + FACILITIES.indexOf(options.facility)
    const sent = (error: Error | null | undefined) => this.sent(error)
    const { address } = options
    if (address.kind === 'udp') {
      const socket: UdpSocket = createSocket(isIP(address.host) === 6 ? 'udp6' : 'udp4')
      socket.unref()
      socket.on('error', sent)
      this.send = (line) => socket.send(line, address.port, address.host, sent)
      this.closeSocket = () => socket.close()
    } else {
      const socket = unixStream(address.path, sent)
      this.send = (line) => void socket.write(line)
      this.closeSocket = () => socket.end()
    }
  }

  /** Sends one line of text at the severity of a pino level. */
  write(level: number, message: string): void {
    const priority = this.facility * 8 + severity(level)
    const time = new Date()
    const newline = message.endsWith('\n') ? '' : '\n'
    const { tag, address } = this.options
    const header = address.kind === 'udp' ? `<${priority}>${NETWORK_STAMP(time)} ${this.host} ` : `<${priority}>${LOCAL_STAMP(time)} `
    this.send(Buffer.from(`${header}${tag}[${this.pid}]: ${message}${newline}`))
  }

  close(): void {
    this.closeSocket()
  }

  private sent(error: Error | null | undefined): void {
    if (!error) {
      this.failing = false
      return
    }
    if (this.failing) return
    this.failing = true
    // EPROTOTYPE: the socket takes datagrams only, which Node.js cannot send
    const hint = (error as NodeJS.ErrnoException).code === 'EPROTOTYPE' ? " (it takes datagrams only, which Node.js cannot send: name the daemon's UDP input with RXGATE_SYSLOG=udp://127.0.0.1:514)" : ''
    process.stderr.write(`rxgate: a log line could not be sent to syslog (${describe(this.options.address)}): ${error.message}${hint}; lines are dropped until it can\n`)
  }
}

function describe(address: SyslogAddress): string {
  return address.kind === 'udp' ? `udp://${address.host}:${address.port}` : `${address.kind}://${address.path}`
}

function unixStream(path: string, failed: (error: Error) => void): Socket {
  const socket = connect(path)
  socket.unref()
  socket.on('error', failed)
  return socket
}
