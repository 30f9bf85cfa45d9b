import type { DestinationStream } from 'pino'
import { compilePattern, DEFAULT_PATTERN, SYSLOG_PATTERN, type Pattern } from './go-pattern.js'
import { krakendLevel } from './levels.js'
import { accessSummary, isAccessLine, lineText, type LogRecord } from './line-text.js'
import type { LoggingSettings } from './settings.js'
import type { SyslogWriter } from './syslog.js'

/** pino's keys that logstash's line names its own way. */
const OWN_KEYS = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg'])

/**
 * The logs as KrakenD's `telemetry/logging` writes them: the application log on stdout (when
 * `stdout`) in its `format`, and to syslog (when `syslog`) as `LEVEL > message`; the access log
 * on stdout only, in the same format, whatever `stdout` says, as KrakenD's never goes to syslog.
 * Each is a pino destination: pino writes its JSON line, which is read back and written out.
 *
 * @example
 * const output = new KrakendOutput(settings, { stdout: pino.destination(1), colors: false })
 * const logger = pino({ level: settings.level }, output.application)
 */
export class KrakendOutput {
  readonly application: DestinationStream
  readonly access: DestinationStream
  private id = 0

  constructor(settings: LoggingSettings, outputs: { readonly stdout: DestinationStream; readonly colors: boolean; readonly syslog?: SyslogWriter }) {
    const { stdout, syslog } = outputs
    const render = renderer(settings, outputs.colors)
    const syslogLine = compilePattern(SYSLOG_PATTERN, { colors: false })
    this.access = {
      write: (json: string) => {
        const record = JSON.parse(json) as LogRecord
        stdout.write(render(record, ++this.id))
      },
    }
    this.application = {
      write: (json: string) => {
        const record = JSON.parse(json) as LogRecord
        const id = ++this.id
        if (settings.stdout) stdout.write(render(record, id))
        if (syslog) syslog.write(record.level as number, syslogLine(patternLine(record, id)))
      },
    }
  }
}

/** One line's text on stdout, newline included. */
function renderer(settings: LoggingSettings, colors: boolean): (record: LogRecord, id: number) => string {
  if (settings.format === 'logstash') return (record) => `${logstash(record)}\n`
  if (settings.format === 'custom') {
    const pattern = compilePattern(settings.custom_format ?? '%{message}', { colors })
    return (record, id) => `${pattern(patternLine(record, id))}\n`
  }
  // KrakenD's default format: Go's log.Logger writes the prefix before the pattern
  const pattern: Pattern = compilePattern(DEFAULT_PATTERN, { colors })
  return (record, id) => `${settings.prefix}${pattern(patternLine(record, id))}\n`
}

function patternLine(record: LogRecord, id: number) {
  return { time: new Date(record.time as number), level: record.level as number, id, message: lineText(record) }
}

/**
 * KrakenD's logstash line (`{"@timestamp": ..., "@version": 1, "level": "INFO", "message": ..., "module": ...}`),
 * with the line's fields beside them, so that logstash indexes each. The time is UTC.
 */
function logstash(record: LogRecord): string {
  const line: Record<string, unknown> = {
    '@timestamp': new Date(record.time as number).toISOString().replace('Z', '+00:00'),
    '@version': 1,
    level: krakendLevel(record.level as number),
    message: isAccessLine(record) ? accessSummary(record) : record.msg,
    module: 'RXGATE',
  }
  for (const key of Object.keys(record)) {
    if (!OWN_KEYS.has(key) && !(key in line)) line[key] = record[key]
  }
  return JSON.stringify(line)
}
