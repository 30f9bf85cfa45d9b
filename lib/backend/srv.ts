import { Resolver } from 'node:dns/promises'
import { ErrorCodes, RxgateError } from '../errors.js'

/** The part of node's DNS resolver that SRV discovery uses, so a test can give its own. */
export interface SrvResolver {
  resolveSrv(name: string): Promise<{ name: string; port: number; priority: number; weight: number }[]>
}

export interface SrvOptions {
  /** `http` or `https`: the scheme of the hosts the records give. */
  readonly scheme: string
  /** How long a list is kept before it is resolved again, in ms (KrakenD's `dns_cache_ttl`). */
  readonly ttl: number
  readonly resolver?: SrvResolver
}

/**
 * The hosts behind a DNS SRV name (`_api._tcp.users.service.consul`), as KrakenD balances them:
 * only the records of the lowest priority, each host repeated by its weight. Resolved at once and
 * again every `ttl` in the background; when a renewal fails, the last good list stays in use.
 * `RXGATE_DNS_SERVERS` (comma-separated `host:port`) sets the DNS servers, e.g. Consul's
 * `127.0.0.1:8600`; by default, the system's.
 */
export class SrvHosts {
  private list: readonly string[] = []
  private readonly first: Promise<void>
  private readonly timer: NodeJS.Timeout

  constructor(
    readonly name: string,
    private readonly options: SrvOptions,
  ) {
    const resolver = options.resolver ?? systemResolver()
    this.first = this.refresh(resolver)
    // Errors of the first resolution surface on `hosts()`; here they must not go unhandled.
    this.first.catch(() => undefined)
    this.timer = setInterval(() => void this.refresh(resolver).catch(() => undefined), options.ttl).unref()
  }

  /** The current hosts (`http://10.0.0.7:8000`), after the first resolution. */
  async hosts(): Promise<readonly string[]> {
    if (this.list.length === 0) await this.first
    if (this.list.length === 0) throw this.noHosts()
    return this.list
  }

  close(): void {
    clearInterval(this.timer)
  }

  private async refresh(resolver: SrvResolver): Promise<void> {
    let records
    try {
      records = await resolver.resolveSrv(this.name)
    } catch (error) {
      throw this.noHosts(error)
    }
    const best = Math.min(...records.map((record) => record.priority))
    const hosts = records
      .filter((record) => record.priority === best)
      .flatMap((record) => Array<string>(Math.max(1, record.weight)).fill(`${this.options.scheme}://${record.name}:${record.port}`))
    if (hosts.length > 0) this.list = hosts
  }

  private noHosts(cause?: unknown): RxgateError {
    return new RxgateError(
      ErrorCodes.BACKEND_NETWORK,
      `DNS SRV name ${this.name} gave no hosts: check the name and the DNS servers (RXGATE_DNS_SERVERS)`,
      { name: this.name },
      { cause },
    )
  }
}

function systemResolver(): SrvResolver {
  const resolver = new Resolver()
  const servers = process.env.RXGATE_DNS_SERVERS
  if (servers) resolver.setServers(servers.split(',').map((server) => server.trim()))
  return resolver
}
