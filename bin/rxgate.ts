#!/usr/bin/env node
/**
 * The rxgate command line: runs and checks KrakenD-format (v3) configuration files.
 */
import { availableParallelism } from 'node:os'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { loadConfig, type GatewayConfig } from '../lib/config/index.js'
import { describeConfig } from '../lib/config/describe.js'
import { RxgateError } from '../lib/errors.js'
import { createLogger } from '../lib/logger.js'
import { LEVEL_NAMES, logLevel } from '../lib/logging/levels.js'
import { compileGateway } from '../lib/pipeline/compile.js'
import { loadPlugins } from '../lib/plugins/load.js'
import { serveReloads } from '../lib/reload/serve-reloads.js'
import { toMilliseconds } from '../operators/duration.js'
import { VERSION } from '../lib/version.js'
import { isWorker, leaveCluster, superviseWorkers } from '../lib/workers.js'

const HELP = `rxgate ${VERSION}: an API gateway whose endpoints are RxJS pipelines

Usage:
  rxgate run -c FILE [-p PORT] [-l LEVEL] [-d] [-w N] [--watch] [--shutdown-timeout D]
             [--allow-unenforced]
                                                 run the gateway a configuration file describes
  rxgate check -c FILE [-l] [-t] [-d[d[d]]] [--allow-unenforced]
                                                 validate a configuration file and load its
                                                 plugins; print every error
  rxgate version, rxgate --version, rxgate -v    print the version
  rxgate help                                    print this help

Options of run:
  -c, --config FILE   the configuration: KrakenD's format, version 3, in JSON or YAML
  -p, --port PORT     listen on PORT instead of the file's "port"
  -l, --log-level L   DEBUG, INFO, WARNING, ERROR, CRITICAL (KrakenD's), or trace, debug, info,
                      warn, error, fatal, silent; over the file's telemetry/logging level
                      (default: info)
  -d, --debug         enable the /__debug/ endpoint
  -w, --workers N     serve from N processes sharing the port (node:cluster); auto: one per
                      core this process may use
  --watch             reload the configuration when its file (or its plugin folder) changes
  --shutdown-timeout D
                      how long a stop waits for requests in flight before it cuts them
                      (a duration: 30s, 1m; default 10s); a second Ctrl-C exits at once
  --allow-unenforced  serve without the settings rxgate does not enforce (auth/*, security/*,
                      qos/*, validation/* and plugin/* namespaces), with a warning for each;
                      without it, such a file is not valid
  --lint              keys rxgate does not know (typos, most often) are errors, not warnings

Options of check (KrakenD's):
  -c, --config FILE   the configuration
  -l, --lint          keys rxgate does not know are errors; -n, --lint-no-network is the same
                      (the schema is built in)
  -t, --test-gin-routes
                      also compile every endpoint, as run would (colliding routes, pipelines)
  -d, --debug         print how rxgate reads the file; -dd and -ddd say more
  -i, --indent S      what -d indents with (default: a tab)
  --allow-unenforced  as for run

Examples:
  rxgate check -tlc gateway.json
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

const RUN_OPTIONS = {
  config: { type: 'string', short: 'c' },
  port: { type: 'string', short: 'p' },
  'log-level': { type: 'string', short: 'l' },
  debug: { type: 'boolean', short: 'd' },
  workers: { type: 'string', short: 'w' },
  watch: { type: 'boolean' },
  'shutdown-timeout': { type: 'string' },
  'allow-unenforced': { type: 'boolean' },
  lint: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

/** KrakenD's `check` flags: `-l` lints there, where `run`'s `-l` is the log level. */
const CHECK_OPTIONS = {
  config: { type: 'string', short: 'c' },
  lint: { type: 'boolean', short: 'l' },
  'lint-no-network': { type: 'boolean', short: 'n' },
  'test-gin-routes': { type: 'boolean', short: 't' },
  debug: { type: 'boolean', short: 'd', multiple: true },
  indent: { type: 'string', short: 'i' },
  'allow-unenforced': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

/** What a command line without a command may say. */
const BARE_OPTIONS = {
  config: { type: 'string', short: 'c' },
  version: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const

/** A command line that cannot be run as written: one line, a pointer to the help, exit code 2. */
class UsageError extends Error {}

/** The metrics endpoint a file asks rxgate to listen on (a Prometheus exporter, /__stats), if any. */
function listeningExporters(config: GatewayConfig): string | undefined {
  const prometheus = config.telemetry?.exporters.prometheus?.find((exporter) => !exporter.disable_metrics)
  if (prometheus) return `a Prometheus exporter (port ${prometheus.port ?? 9090})`
  if (config.stats && !config.stats.endpoint_disabled) return `/__stats (${config.stats.listen_address ?? ':8090'})`
  return undefined
}

async function main(argv: string[]): Promise<number> {
  const command = argv[0]
  if (command === undefined || command.startsWith('-')) return bare(argv)
  if (command === 'help') return print(HELP, 0)
  if (command === 'version') return print(`rxgate ${VERSION}\n`, 0)
  if (command === 'check') return check(argv)
  if (command !== 'run') throw new UsageError(`unknown command "${command}": the commands are run, check, version and help`)
  const { values } = parse(argv, RUN_OPTIONS, command)
  if (values.help) return print(HELP, 0)
  if (!values.config) throw new UsageError('run needs a configuration file: rxgate run -c gateway.json')
  if (values.port !== undefined && !isPort(Number(values.port))) throw new UsageError(`--port must be a port number, not "${values.port}"`)
  // auto: one per core this process may use, as KrakenD uses every core
  const workers = values.workers === undefined ? 1 : values.workers === 'auto' ? availableParallelism() : Number(values.workers)
  if (!Number.isInteger(workers) || workers < 1) throw new UsageError(`--workers must be a whole number of at least 1, or auto, not "${values.workers}"`)
  const level = values['log-level']
  if (level !== undefined && logLevel(level) === undefined) throw new UsageError(`--log-level must be one of ${LEVEL_NAMES}, not "${level}"`)
  const shutdownTimeout = values['shutdown-timeout'] === undefined ? undefined : readDuration('--shutdown-timeout', values['shutdown-timeout'])

  const validation = { allowUnenforced: values['allow-unenforced'] ?? false, lint: values.lint ?? false }
  const { config, warnings } = await loadConfig(values.config, validation)

  const port = values.port === undefined ? config.port : Number(values.port)
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
  const gateway = compileGateway(config, {
    logger,
    debug: values.debug ?? false,
    warnings: isWorker ? [] : warnings,
    plugins,
    ...(shutdownTimeout === undefined ? {} : { shutdownTimeout }),
  })
  const listening = gateway.listen(port, config.listen_ip)
  // Heard before the gateway says it listens: a signal or a change sent once it has is never
  // missed (its log line may reach a reader before this process goes on).
  const stopped = stopSignal(logger)
  const reloads = serveReloads(gateway, config, {
    file: values.config,
    validation,
    logger,
    debug: values.debug ?? false,
    watch: values.watch ?? false,
    portFromCommandLine: values.port !== undefined,
    ready: listening,
  })
  try {
    await listening
  } catch (error) {
    await reloads.stop()
    const code = (error as { code?: string }).code
    if (code === 'EADDRINUSE') return fail(`port ${port} is in use: stop what listens there, or run with -p to pick another port`)
    if (code === 'EACCES') return fail(`no permission to listen on port ${port}: use a port above 1023`)
    throw error
  }
  await stopped
  await reloads.stop()
  await gateway.close()
  return 0
}

/** `rxgate` with flags but no command: the version, the help, or what to type instead. */
function bare(argv: string[]): Promise<number> | number {
  const { values, positionals } = parse(argv, BARE_OPTIONS, undefined)
  // the command after its flags (rxgate -c gateway.json run): read as written first
  const command = positionals[0]
  if (command !== undefined) return main([command, ...argv.filter((arg) => arg !== command)])
  if (values.version) return print(`rxgate ${VERSION}\n`, 0)
  if (values.config !== undefined) throw new UsageError(`a command is needed: rxgate run -c ${values.config} (or rxgate check -c ${values.config})`)
  return print(HELP, 0)
}

/** `rxgate check`, with KrakenD's flags. */
async function check(argv: string[]): Promise<number> {
  const { values } = parse(argv, CHECK_OPTIONS, 'check')
  if (values.help) return print(HELP, 0)
  if (!values.config) throw new UsageError('check needs a configuration file: rxgate check -c gateway.json')
  const validation = { allowUnenforced: values['allow-unenforced'] ?? false, lint: (values.lint ?? false) || (values['lint-no-network'] ?? false) }
  const { config, warnings } = await loadConfig(values.config, validation)
  for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`)
  const verbosity = values.debug?.length ?? 0
  if (verbosity > 0) process.stdout.write(describeConfig(config, { verbosity, ...(values.indent === undefined ? {} : { indent: values.indent }) }))
  // The plugins are imported too, so that a module that fails, or a name nobody registers, shows here.
  pluginsImported = config.plugin !== undefined
  const plugins = await loadPlugins(config)
  if (values['test-gin-routes']) {
    // Every endpoint compiled as run compiles it (routes registered, pipelines and middlewares
    // made), without listening: what only compiling finds shows here.
    const gateway = compileGateway(config, { logger: createLogger({ level: 'silent' }), plugins })
    await gateway.close()
  }
  const loaded = plugins.names.length === 0 ? '' : `, ${plural(plugins.names.length, 'plugin')}`
  const compiled = values['test-gin-routes'] ? ', every endpoint compiled' : ''
  return print(`${values.config}: the configuration is valid (${plural(config.endpoints.length, 'endpoint')}${loaded}${compiled})\n`, 0)
}

/** parseArgs, with its errors as one line about the command. */
function parse<O extends ParseArgsConfig['options']>(argv: string[], options: O, command: string | undefined) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true })
  } catch (error) {
    const message = (error as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '')
    throw new UsageError(command === undefined ? message : `${command}: ${message}`)
  }
}

function isPort(port: number): boolean {
  return Number.isInteger(port) && port >= 0 && port <= 65535
}

function readDuration(flag: string, value: string): number {
  try {
    const ms = toMilliseconds(value)
    if (ms >= 0) return ms
  } catch {
    // said below
  }
  throw new UsageError(`${flag} must be a duration (30s, 1m, 500ms), not "${value}"`)
}

/**
 * Resolves on SIGINT or SIGTERM, for the graceful close. A second SIGINT (Ctrl-C again: the
 * person at the terminal will not wait for the drain) exits at once; a SIGTERM after a SIGINT
 * (a supervisor's, after the terminal's) does not, so the drain is not cut by its own supervisor.
 */
function stopSignal(logger: { warn(message: string): void }): Promise<void> {
  return new Promise<void>((resolve) => {
    let interrupted = false
    process.on('SIGINT', () => {
      if (interrupted) {
        logger.warn('a second SIGINT: exiting now, without waiting for the requests in flight')
        process.exit(130)
      }
      interrupted = true
      resolve()
    })
    process.on('SIGTERM', () => resolve())
  })
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
      if (error instanceof UsageError) {
        process.stderr.write(`rxgate: ${error.message} (see rxgate help)\n`)
        process.exitCode = 2
        return
      }
      if (error instanceof RxgateError) process.stderr.write(`rxgate: ${error.message}\n`)
      else process.stderr.write(`rxgate: ${(error as Error).stack ?? String(error)}\n`)
      process.exitCode = 1
    },
  )
  .finally(() => {
    leaveCluster()
    if (pluginsImported) process.exit()
  })
