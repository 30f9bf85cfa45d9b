#!/usr/bin/env node
/**
 * The rxgate command line: runs and checks KrakenD-format (v3) configuration files.
 */
import { parseArgs } from 'node:util'
import { loadConfig, type GatewayConfig } from '../lib/config/index.js'
import { RxgateError } from '../lib/errors.js'
import { createLogger } from '../lib/logger.js'
import { LEVEL_NAMES, logLevel } from '../lib/logging/levels.js'
import { compileGateway } from '../lib/pipeline/compile.js'
import { loadPlugins } from '../lib/plugins/load.js'
import { serveReloads } from '../lib/reload/serve-reloads.js'
import { VERSION } from '../lib/version.js'
import { isWorker, leaveCluster, superviseWorkers } from '../lib/workers.js'

const HELP = `rxgate ${VERSION}: an API gateway whose endpoints are RxJS pipelines

Usage:
  rxgate run -c FILE [-p PORT] [-l LEVEL] [-d] [-w N] [--watch] [--allow-unenforced]
                                                 run the gateway a configuration file describes
  rxgate check -c FILE [--lint] [--allow-unenforced]
                                                 validate a configuration file and load its
                                                 plugins; print every error
  rxgate version                                 print the version
  rxgate help                                    print this help

Options:
  -c, --config FILE   the configuration: KrakenD's format, version 3, in JSON or YAML
  -p, --port PORT     listen on PORT instead of the file's "port"
  -l, --log-level L   DEBUG, INFO, WARNING, ERROR, CRITICAL (KrakenD's), or trace, debug, info,
                      warn, error, fatal, silent; over the file's telemetry/logging level
                      (default: info)
  -d, --debug         enable the /__debug/ endpoint
  -w, --workers N     serve from N processes sharing the port (node:cluster), e.g. one per core
  --watch             reload the configuration when its file (or its plugin folder) changes
  --allow-unenforced  serve without the settings rxgate does not enforce (auth/*, security/*,
                      qos/*, validation/* and plugin/* namespaces), with a warning for each;
                      without it, such a file is not valid
  --lint              keys rxgate does not know (typos, most often) are errors, not warnings

Examples:
  rxgate check -c gateway.json --lint
  rxgate run -c gateway.json -p 9000

Logs are JSON lines, pretty when the output is a terminal, or as the file's telemetry/logging
says (KrakenD's formats, stdout, syslog). SIGINT or SIGTERM stops the gateway gracefully: it
stops accepting, lets in-flight requests finish, then exits.

SIGHUP reloads the configuration in place, as --watch does on a change: checked first (a file
that does not pass is refused and logged, and the running one serves on), then swapped in, with
requests in flight finishing on the old routes; what needs a restart (port, listen_ip, tls, the
telemetry) is said and kept.
`

/**
 * Whether plugin modules were imported: their top-level code may keep timers or sockets open,
 * which would keep the process alive once it is done (a Go plugin's goroutines end with
 * KrakenD's main), so the process then exits by itself.
 */
let pluginsImported = false

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  port: { type: 'string', short: 'p' },
  'log-level': { type: 'string', short: 'l' },
  debug: { type: 'boolean', short: 'd' },
  workers: { type: 'string', short: 'w' },
  watch: { type: 'boolean' },
  'allow-unenforced': { type: 'boolean' },
  lint: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

/** The metrics endpoint a file asks rxgate to listen on (a Prometheus exporter, /__stats), if any. */
function listeningExporters(config: GatewayConfig): string | undefined {
  const prometheus = config.telemetry?.exporters.prometheus?.find((exporter) => !exporter.disable_metrics)
  if (prometheus) return `a Prometheus exporter (port ${prometheus.port ?? 9090})`
  if (config.stats && !config.stats.endpoint_disabled) return `/__stats (${config.stats.listen_address ?? ':8090'})`
  return undefined
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true })
  const [command = 'help'] = positionals
  if (values.help || command === 'help') return print(HELP, 0)
  if (command === 'version') return print(`rxgate ${VERSION}\n`, 0)
  if (command !== 'run' && command !== 'check') return fail(`unknown command "${command}"\n\n${HELP}`)
  if (!values.config) return fail(`${command} needs a configuration file: rxgate ${command} -c gateway.json`)
  const level = values['log-level']
  if (level !== undefined && logLevel(level) === undefined) return fail(`--log-level must be one of ${LEVEL_NAMES}, not "${level}"`)

  const validation = { allowUnenforced: values['allow-unenforced'] ?? false, lint: values.lint ?? false }
  const { config, warnings } = await loadConfig(values.config, validation)
  if (command === 'check') {
    for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`)
    // The plugins are imported too, so that a module that fails, or a name nobody registers, shows here.
    pluginsImported = config.plugin !== undefined
    const plugins = await loadPlugins(config)
    const loaded = plugins.names.length === 0 ? '' : `, ${plural(plugins.names.length, 'plugin')}`
    return print(`${values.config}: the configuration is valid (${plural(config.endpoints.length, 'endpoint')}${loaded})\n`, 0)
  }

  const port = values.port === undefined ? config.port : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) return fail(`--port must be a port number, not "${values.port}"`)
  const workers = values.workers === undefined ? 1 : Number(values.workers)
  if (!Number.isInteger(workers) || workers < 1) return fail(`--workers must be a whole number of at least 1, not "${values.workers}"`)
  const pulled = listeningExporters(config)
  if (workers > 1 && pulled !== undefined) {
    return fail(`--workers ${workers} cannot serve ${pulled}: each worker keeps its own metrics and only one process can listen on its port; run one process, or push them over OTLP ("exporters": { "otlp": [...] }), where each worker reports as its own instance`)
  }
  // -l wins over the file's telemetry/logging level
  const logger = createLogger({ ...(level === undefined ? {} : { level }), ...(config.logging ? { logging: config.logging } : {}) })
  if (workers > 1 && !isWorker) {
    // The supervisor compiles nothing, so it says what the file lacks, once, for all its workers.
    for (const warning of warnings) logger.warn(warning)
    return superviseWorkers(workers, logger, { file: values.config, watch: values.watch ?? false, ...(config.plugin ? { plugin: config.plugin } : {}) })
  }
  // Loaded before compiling, which is synchronous; each worker loads its own.
  pluginsImported = config.plugin !== undefined
  const plugins = await loadPlugins(config, { logger })
  // The workers (forked with this argv, --allow-unenforced included) leave that to the supervisor.
  const gateway = compileGateway(config, { logger, debug: values.debug ?? false, warnings: isWorker ? [] : warnings, plugins })
  try {
    await gateway.listen(port, config.listen_ip)
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code === 'EADDRINUSE') return fail(`port ${port} is in use: stop what listens there, or run with -p to pick another port`)
    if (code === 'EACCES') return fail(`no permission to listen on port ${port}: use a port above 1023`)
    throw error
  }
  const reloads = serveReloads(gateway, config, {
    file: values.config,
    validation,
    logger,
    debug: values.debug ?? false,
    watch: values.watch ?? false,
    portFromCommandLine: values.port !== undefined,
  })
  // `on`, not `once`: a second signal (a supervisor's SIGTERM after the terminal's SIGINT) must
  // not kill the process in the middle of its graceful close.
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => resolve())
  })
  await reloads.stop()
  await gateway.close()
  return 0
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

function print(text: string, code: number): number {
  process.stdout.write(text)
  return code
}

function fail(message: string): number {
  process.stderr.write(`rxgate: ${message}\n`)
  return 1
}

main(process.argv.slice(2))
  .then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      // A configuration error already says what is wrong, and where: no stack trace.
      if (error instanceof RxgateError) process.stderr.write(`rxgate: ${error.message}\n`)
      else if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) process.stderr.write(`rxgate: ${(error as Error).message}\n\n${HELP}`)
      else process.stderr.write(`rxgate: ${(error as Error).stack ?? String(error)}\n`)
      process.exitCode = 1
    },
  )
  .finally(() => {
    leaveCluster()
    if (pluginsImported) process.exit()
  })
