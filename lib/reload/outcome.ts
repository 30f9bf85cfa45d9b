import type { PluginFolder } from '../config/types.js'
import { RxgateError } from '../errors.js'
import type { Logger } from '../logger.js'

/** What one reload did: a plain value, so that a worker can send it to its supervisor. */
export type ReloadOutcome =
  | {
      readonly reloaded: true
      /** The endpoints the new file declares. */
      readonly endpoints: number
      /** What loading it found to say (`loadConfig`'s warnings), to log once. */
      readonly warnings: readonly string[]
      /** The settings that changed but wait for a restart (`settingsNeedingRestart`). */
      readonly needsRestart: readonly string[]
      /** The plugin folder it names now, for a watcher to follow. */
      readonly plugin?: PluginFolder
      readonly ms: number
    }
  | {
      readonly reloaded: false
      /** Why, in one line: `gateway.json is not valid (2 problems)`. */
      readonly reason: string
      /** Each problem on its line, as `rxgate check` prints them (empty when the reason says it all). */
      readonly problems: readonly string[]
    }

/**
 * The refusal of a file that could not be loaded, checked or compiled: the error's first line
 * as the reason, and its problems (a `CONFIG_INVALID` or `BAD_PLUGIN` lists them), one a line.
 *
 * @example
 * refusal(error)   // { reloaded: false, reason: 'gateway.json is not valid (1 problem)', problems: ['/endpoints/0/method: ...'] }
 */
export function refusal(error: unknown): ReloadOutcome {
  const message = error instanceof Error ? error.message : String(error)
  const [first = '', ...rest] = message.split('\n')
  const listed = error instanceof RxgateError ? error.details.problems : undefined
  const problems = Array.isArray(listed) ? listed.map(String) : rest.filter((line) => line.trim() !== '')
  return { reloaded: false, reason: first.replace(/:$/, ''), problems }
}

/**
 * Logs a reload's outcome: one line that says what happened, then, for a refusal, each problem
 * on its line, and for a success, its warnings and the settings kept until a restart.
 * `facts` are added to the first line (`{ workers: 2 }`).
 *
 * @example
 * logReload(logger, 'gateway.json', await reloader.reload())
 */
export function logReload(logger: Logger, file: string, outcome: ReloadOutcome, facts: Record<string, unknown> = {}, who = ''): void {
  if (!outcome.reloaded) {
    logger.error({ file, ...facts, problems: outcome.problems.length }, `configuration not reloaded${who}: ${outcome.reason}; still serving the one loaded before`)
    for (const problem of outcome.problems) logger.error({ file }, problem)
    return
  }
  logger.info({ file, ...facts, endpoints: outcome.endpoints, ms: outcome.ms }, `configuration reloaded${who}`)
  for (const warning of outcome.warnings) logger.warn({ file }, warning)
  if (outcome.needsRestart.length > 0) {
    logger.warn({ file, settings: outcome.needsRestart }, `changed settings that need a restart, still as before until then: ${outcome.needsRestart.join(', ')}`)
  }
}
