import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { connect, isIP, type Socket } from 'node:net'
import { hostname } from 'node:os'
import { goTimeLayout } from './go-time.js'

/**
 * Writing to syslog as Go's log/syslog does, which KrakenD uses: by default to the local syslog
 * socket (`/dev/log`, `/var/run/syslog` or `/var/run/log`, the first that exists), as datagrams,
 * each line `<PRI>Jan _2 15:04:05 TAG[PID]: MESSAGE`; or to a syslog server over UDP, each line
 * `<PRI>2006-01-02T15:04:05Z07:00 HOST TAG[PID]: MESSAGE`. `RXGATE_SYSLOG` names another
 * address: `unixgram:///path` (a datagram socket), `unix:///path` (a stream socket, one line each),
 * `udp://host:514`.
 */

/** Where syslog lines go. */
export type SyslogAddress =
  | { readonly kind: 'unixgram' | 'unix'; readonly path: string }
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
    return { kind: 'unixgram', path }
  }
  const match = /^(unixgram|unix|udp):\/\/(.+)$/.exec(setting)
  if (match?.[1] === 'udp') {
    const address = /^\[?([^\]]+?)\]?:(\d+)$/.exec(match[2]!)
    const port = Number(address?.[2])
    if (address && port > 0 && port < 65536) return { kind: 'udp', host: address[1]!, port }
  } else if (match) {
    return { kind: match[1] as 'unixgram' | 'unix', path: match[2]! }
  }
  throw new Error(`RXGATE_SYSLOG must be unixgram:///path, unix:///path or udp://host:port, not "${setting}"`)
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
    } else if (address.kind === 'unix') {
      const socket = unixStream(address.path, sent)
      this.send = (line) => void socket.write(line)
      this.closeSocket = () => socket.end()
    } else {
      const socket = new IdleDatagramSocket(unixDatagramClass())
      this.send = (line) => socket.sendTo(line, address.path, sent)
      this.closeSocket = () => socket.close()
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
    process.stderr.write(`rxgate: a log line could not be sent to syslog (${describe(this.options.address)}): ${error.message}; lines are dropped until it can\n`)
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

interface DatagramSocket {
  sendTo(buf: Buffer, offset: number, length: number, destPath: string, onWrite?: (error: Error | undefined) => void): void
  close(): void
}
type DatagramSocketClass = new () => DatagramSocket

/** node:dgram has no unix datagram sockets: node-unix-socket's, loaded only when syslog asks for one. */
function unixDatagramClass(): DatagramSocketClass {
  const require = createRequire(import.meta.url)
  try {
    return (require('node-unix-socket') as { DgramSocket: DatagramSocketClass }).DgramSocket
  } catch (error) {
    throw new Error(
      `unix datagram sockets are not available on this platform (${(error as Error).message}): name a syslog server with RXGATE_SYSLOG=udp://host:514`,
    )
  }
}

/** How long a datagram socket stays open without a line to send. */
const IDLE_MS = 1000

/**
 * A unix datagram socket opened for a run of lines and closed a second after the last: an open
 * one keeps the process alive (it cannot be unref'd), which must not outlive the gateway.
 */
class IdleDatagramSocket {
  private socket: DatagramSocket | undefined
  private readonly idle: NodeJS.Timeout

  constructor(private readonly Socket: DatagramSocketClass) {
    this.idle = setTimeout(() => this.close(), IDLE_MS)
    this.idle.unref()
  }

  sendTo(line: Buffer, path: string, sent: (error: Error | undefined) => void): void {
    this.socket ??= new this.Socket()
    this.socket.sendTo(line, 0, line.length, path, sent)
    this.idle.refresh()
  }

  close(): void {
    this.socket?.close()
    this.socket = undefined
  }
}
