import type { IncomingHttpHeaders } from 'node:http'
import type { GatewayRequest } from '../request.js'
import type { BackendDescription, CallTelemetry, EndpointTelemetry, RunTelemetry, Telemetry } from './hooks.js'

/**
 * Two telemetries as one (a file with both `telemetry/opentelemetry` and `telemetry/metrics`):
 * each is told everything, in order; at each level a part that follows nothing drops out.
 *
 * @example
 * gateway({ telemetry: combineTelemetry(new OpenTelemetry(options), new KrakendStats()) })
 */
export function combineTelemetry(first: Telemetry, second: Telemetry): Telemetry {
  if (!first.on) return second
  if (!second.on) return first
  return {
    on: true,
    route: (method, path, options) => both(first.route(method, path, options), second.route(method, path, options)),
    observeActive: (read) => {
      first.observeActive(read)
      second.observeActive(read)
    },
    exchangeEnded: (route, method, status, seconds, path) => {
      const parts = route instanceof CombinedEndpoint ? route : undefined
      first.exchangeEnded(parts ? parts.first : route, method, status, seconds, path)
      second.exchangeEnded(parts ? parts.second : route, method, status, seconds, path)
    },
    start: async () => {
      await first.start()
      await second.start()
    },
    shutdown: async () => {
      await Promise.all([first.shutdown(), second.shutdown()])
    },
  }
}

function both(first: EndpointTelemetry | undefined, second: EndpointTelemetry | undefined): EndpointTelemetry | undefined {
  if (first === undefined) return second
  if (second === undefined) return first
  return new CombinedEndpoint(first, second)
}

class CombinedEndpoint implements EndpointTelemetry {
  readonly route: string

  constructor(
    readonly first: EndpointTelemetry,
    readonly second: EndpointTelemetry,
  ) {
    this.route = first.route
  }

  begin(request: GatewayRequest): RunTelemetry | undefined {
    const a = this.first.begin(request)
    const b = this.second.begin(request)
    return a === undefined ? b : b === undefined ? a : new CombinedRun(a, b)
  }

  exchanged(status: number, seconds: number): void {
    this.first.exchanged(status, seconds)
    this.second.exchanged(status, seconds)
  }
}

class CombinedRun implements RunTelemetry {
  constructor(
    private readonly first: RunTelemetry,
    private readonly second: RunTelemetry,
  ) {}

  get cancelled(): boolean {
    return this.first.cancelled
  }

  settled(complete: boolean, errored: boolean, cancelled: boolean): void {
    this.first.settled(complete, errored, cancelled)
    this.second.settled(complete, errored, cancelled)
  }

  closed(status: number): void {
    this.first.closed(status)
    this.second.closed(status)
  }

  call(key: object, describe: () => BackendDescription): CallTelemetry | undefined {
    const a = this.first.call(key, describe)
    const b = this.second.call(key, describe)
    return a === undefined ? b : b === undefined ? a : new CombinedCall(a, b)
  }
}

class CombinedCall implements CallTelemetry {
  constructor(
    private readonly first: CallTelemetry,
    private readonly second: CallTelemetry,
  ) {}

  headers(headers: Readonly<Record<string, string>>, url: string): Readonly<Record<string, string>> {
    return this.second.headers(this.first.headers(headers, url), url)
  }

  responded(status: number, headers: IncomingHttpHeaders): void {
    this.first.responded(status, headers)
    this.second.responded(status, headers)
  }

  delivered(): void {
    this.first.delivered()
    this.second.delivered()
  }

  failed(error: unknown): void {
    this.first.failed(error)
    this.second.failed(error)
  }

  aborted(): void {
    this.first.aborted()
    this.second.aborted()
  }
}
