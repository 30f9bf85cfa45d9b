/**
 * The rules of the `telemetry/opentelemetry` block that its JSON Schema cannot express: exporters
 * rxgate cannot run, names and ports used twice. Each finding is a JSON pointer inside the block.
 */

export interface TelemetryFinding {
  readonly path: string
  readonly message: string
}

/**
 * What is wrong with the service's `telemetry/opentelemetry` block; nothing for a block that is not
 * an object (the schema says so).
 *
 * @example
 * telemetryFindings({ exporters: { otlp: [{ name: 'tempo', host: 'localhost' }] } })
 * // [{ path: '/exporters/otlp/0', message: 'is OTLP over gRPC (KrakenD's default), which rxgate does not export: ...' }]
 */
export function telemetryFindings(block: unknown): TelemetryFinding[] {
  if (!isObject(block) || !isObject(block.exporters)) return []
  const findings: TelemetryFinding[] = []
  const names = new Map<string, string>()
  const ports = new Map<number, string>()
  for (const kind of ['prometheus', 'otlp'] as const) {
    const list = block.exporters[kind]
    if (!Array.isArray(list)) continue
    list.forEach((exporter: unknown, i) => {
      if (!isObject(exporter)) return
      const at = `/exporters/${kind}/${i}`
      if (typeof exporter.name === 'string') {
        const first = names.get(exporter.name)
        if (first === undefined) names.set(exporter.name, at)
        else findings.push({ path: `${at}/name`, message: `${JSON.stringify(exporter.name)} is also the name of ${first}: each exporter needs its own (as KrakenD requires)` })
      }
      if (kind === 'otlp' && exporter.use_http !== true) {
        findings.push({
          path: exporter.use_http === undefined ? at : `${at}/use_http`,
          message: 'is OTLP over gRPC (KrakenD\'s default when use_http is not true), which rxgate does not export: set "use_http": true and point it at the collector\'s OTLP/HTTP port (4318)',
        })
      }
      if (kind === 'prometheus' && exporter.disable_metrics !== true) {
        const port = typeof exporter.port === 'number' ? exporter.port : 9090
        const first = ports.get(port)
        if (first === undefined) ports.set(port, at)
        else findings.push({ path: `${at}/port`, message: `${port} is also the port of ${first}: two Prometheus exporters cannot listen on one port` })
      }
    })
  }
  return findings
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
