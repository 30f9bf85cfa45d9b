import { BlockList, isIP } from 'node:net'
import type { Headers } from '../request.js'

/** KrakenD's router options that say where the client's IP comes from. */
export interface ClientIpOptions {
  /** Read the IP from `remoteIpHeaders` when the connection comes from a trusted proxy. Default false. */
  readonly forwardedByClientIp?: boolean
  /** Headers that carry the IP, in order. Default `X-Forwarded-For`, then `X-Real-IP`. */
  readonly remoteIpHeaders?: readonly string[]
  /** IPs and CIDR ranges (`10.0.0.0/8`) of the proxies in front of the gateway. Default none. */
  readonly trustedProxies?: readonly string[]
}

/** The client IP of a request: from its connection's peer address and its headers. */
export type ClientIp = (peer: string | undefined, headers: Headers) => string

const DEFAULT_HEADERS = ['x-forwarded-for', 'x-real-ip']
const MAPPED_IPV4 = '::ffff:'

/**
 * Compiles, once, how the gateway tells who its client is, the way KrakenD's router (gin's
 * `ClientIP`) does. By default, the connection's peer. With `forwardedByClientIp`, and only when
 * the peer is a trusted proxy, each listed header is read right to left (each proxy appends the
 * address it received from): the first address that is not a trusted proxy, or the leftmost one,
 * is the client; a header that holds something other than addresses is skipped. A header from an
 * untrusted peer is never believed: anyone can write one. IPv4 peers of a dual-stack socket
 * (`::ffff:10.0.0.1`) are written as IPv4, as Go writes them.
 *
 * @example
 * const clientIp = compileClientIp({ forwardedByClientIp: true, trustedProxies: ['10.0.0.0/8'] })
 * clientIp('10.0.0.2', { 'x-forwarded-for': '203.0.113.9, 10.0.0.7' }) // '203.0.113.9'
 * clientIp('198.51.100.4', { 'x-forwarded-for': '203.0.113.9' })       // '198.51.100.4'
 */
export function compileClientIp(options: ClientIpOptions = {}): ClientIp {
  const trusted = trustList(options.trustedProxies ?? [])
  if (!options.forwardedByClientIp || !trusted) return (peer) => plainIp(peer ?? '')
  const headers = options.remoteIpHeaders?.length ? options.remoteIpHeaders.map((name) => name.toLowerCase()) : DEFAULT_HEADERS
  const isTrusted = (ip: string) => trusted.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4')
  return (peer, received) => {
    const remote = plainIp(peer ?? '')
    if (isIP(remote) === 0 || !isTrusted(remote)) return remote
    for (const name of headers) {
      const value = received[name]
      if (value === undefined) continue
      const found = fromChain(typeof value === 'string' ? value : value.join(','), isTrusted)
      if (found !== undefined) return found
    }
    return remote
  }
}

/** The client in a proxies' chain (`client, proxy1, proxy2`), or undefined when the header holds no address. */
function fromChain(chain: string, isTrusted: (ip: string) => boolean): string | undefined {
  const items = chain.split(',')
  for (let i = items.length - 1; i >= 0; i--) {
    const ip = items[i]!.trim()
    if (isIP(ip) === 0) return undefined
    if (i === 0 || !isTrusted(plainIp(ip))) return ip
  }
  return undefined
}

/** The trusted proxies as a `BlockList`, or undefined for none (then no header is ever read). */
function trustList(proxies: readonly string[]): BlockList | undefined {
  if (proxies.length === 0) return undefined
  const list = new BlockList()
  for (const proxy of proxies) {
    const [address = '', bits] = proxy.split('/')
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4'
    if (bits === undefined) list.addAddress(address, type)
    else list.addSubnet(address, Number(bits), type)
  }
  return list
}

/** `::ffff:127.0.0.1` (an IPv4 peer of a dual-stack socket) as `127.0.0.1`. */
export function plainIp(address: string): string {
  return address.startsWith(MAPPED_IPV4) && isIP(address.slice(MAPPED_IPV4.length)) === 4 ? address.slice(MAPPED_IPV4.length) : address
}
