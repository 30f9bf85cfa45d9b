import { from, mergeMap, type Observable, type OperatorFunction } from 'rxjs'
import { perRequest } from '../../operators/per-request.js'
import type { GatewayRequest } from '../request.js'
import { httpCall } from './call.js'
import type { BackendOptions } from './options.js'
import type { SrvHosts } from './srv.js'

/**
 * A backend whose hosts come from DNS SRV discovery: each request goes to the next host of the
 * current list (round robin), through a call compiled once per host and kept.
 *
 * @example
 * discovered(new SrvHosts('_users._tcp.service.consul', { scheme: 'http', ttl: 30_000 }), '/users/{id}')
 */
export function discovered<T = unknown>(srv: SrvHosts, urlPattern: string, options?: BackendOptions): OperatorFunction<GatewayRequest, T> {
  const calls = new Map<string, (req: GatewayRequest) => Observable<T>>()
  let turn = 0
  const callFor = (host: string) => {
    let call = calls.get(host)
    if (!call) calls.set(host, (call = httpCall<T>(host + urlPattern, options)))
    return call
  }
  return perRequest((req: GatewayRequest) => from(srv.hosts()).pipe(mergeMap((hosts) => callFor(hosts[turn++ % hosts.length]!)(req))))
}
