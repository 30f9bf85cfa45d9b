import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Test } from 'tap'

/** A span as OTLP/JSON carries it. */
export interface ReceivedSpan {
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId?: string
  readonly name: string
  readonly kind: number
  readonly attributes: Readonly<Record<string, unknown>>
  readonly status?: { readonly code?: number; readonly message?: string }
}

export interface OtlpReceiver {
  readonly port: number
  readonly spans: ReceivedSpan[]
  /** Every metric export's body, as sent. */
  readonly metrics: unknown[]
  /** Resolves once `count` spans arrived (rejects after `ms`). */
  waitForSpans(count: number, ms?: number): Promise<ReceivedSpan[]>
}

/**
 * An OpenTelemetry collector's OTLP/HTTP receiver, as far as tests need one: `/v1/traces` and
 * `/v1/metrics` take OTLP/JSON and keep what arrives.
 */
export async function startOtlpReceiver(t: Test): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = []
  const metrics: unknown[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')
      if (req.url === '/v1/traces') {
        for (const resource of body.resourceSpans ?? []) {
          for (const scope of resource.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) spans.push({ ...span, attributes: attributesOf(span.attributes) })
          }
        }
      } else if (req.url === '/v1/metrics') metrics.push(body)
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return {
    port: (server.address() as AddressInfo).port,
    spans,
    metrics,
    async waitForSpans(count, ms = 10_000) {
      const until = Date.now() + ms
      while (spans.length < count) {
        if (Date.now() > until) throw new Error(`${spans.length} spans arrived, not ${count}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      return spans
    },
  }
}

/** OTLP/JSON's `[{ key, value: { stringValue } }]` as a plain object. */
function attributesOf(list: readonly { key: string; value: Record<string, unknown> }[] = []): Record<string, unknown> {
  const result: Record<string, unknown> = {}
  for (const { key, value } of list) {
    const [kind, inner] = Object.entries(value)[0] ?? []
    result[key] = kind === 'arrayValue' ? ((inner as { values?: Record<string, unknown>[] }).values ?? []).map((item) => Object.values(item)[0]) : inner
  }
  return result
}
