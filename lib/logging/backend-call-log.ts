import type { Logger } from 'pino'
import { errorCode } from '../errors.js'
import type { BackendDescription, CallTelemetry, EndpointTelemetry, RunTelemetry, Telemetry } from '../telemetry/hooks.js'

/**
 * One debug line per backend call: its backend (`url_pattern`), method, URL, status, duration and
 * outcome (`delivered`, `failed` with its code, `cancelled` when the client went away, `aborted`
 * when the endpoint stopped waiting: its deadline passed, or another call answered first). It
 * follows the calls through the gateway's telemetry hooks, so a gateway that does not log at
 * debug level (decided once, at start-up) has no part of it.
 *
 * @example
 * const telemetry = logger.isLevelEnabled('debug') ? combineTelemetry(telemetry, backendCallLog(logger)) : telemetry
 */
export function backendCallLog(logger: Logger): Telemetry {
  const endpoint = (route: string): EndpointTelemetry => ({
    route,
    begin: () => new RunLog(logger),
    exchanged: () => {},
  })
  return {
    on: true,
    route: (_method, path) => endpoint(path),
    observeActive: () => {},
    exchangeEnded: () => {},
    start: async () => {},
    shutdown: async () => {},
  }
}

class RunLog implements RunTelemetry {
  cancelled = false

  constructor(private readonly logger: Logger) {}

  settled(_complete: boolean, _errored: boolean, cancelled: boolean): void {
    if (cancelled) this.cancelled = true
  }

  closed(): void {}

  call(_key: object, describe: () => BackendDescription): CallTelemetry {
    return new CallLog(this, this.logger, describe())
  }
}

class CallLog implements CallTelemetry {
  private readonly started = performance.now()
  private url: string | undefined
  private status: number | undefined

  constructor(
    private readonly run: RunLog,
    private readonly logger: Logger,
    private readonly backend: BackendDescription,
  ) {}

  headers(headers: Readonly<Record<string, string>>, url: string): Readonly<Record<string, string>> {
    this.url = url
    return headers
  }

  responded(status: number): void {
    this.status = status
  }

  delivered(): void {
    this.log('delivered')
  }

  failed(error: unknown): void {
    this.log('failed', { code: errorCode(error), reason: (error as Error)?.message })
  }

  aborted(): void {
    this.log(this.run.cancelled ? 'cancelled' : 'aborted')
  }

  private log(outcome: string, facts: Record<string, unknown> = {}): void {
    const { method, urlPattern } = this.backend
    const ms = Math.round((performance.now() - this.started) * 100) / 100
    this.logger.debug({ backend: urlPattern, method, url: this.url, status: this.status, ms, outcome, ...facts }, 'backend call')
  }
}
