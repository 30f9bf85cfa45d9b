/**
 * rxgate as users run it: a KrakenD v3 file written to a temp folder and the real CLI,
 * `node dist/bin/rxgate.js run -c FILE -p PORT -l silent`, in a process of its own.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, has, waitForHttp } from './backends.js'
import { atStop, start, type Started } from './processes.js'

export interface RxgateCli {
  readonly process: Started
  readonly base: string
  /** The started process's id, for /proc sampling. */
  readonly pid: number
}

const CLI = fileURLToPath(new URL('../bin/rxgate.js', import.meta.url))

export interface CliOptions {
  /**
   * Its log level (`-l`), its stdout written to a file in its temp folder (as a log collector
   * reads it), not to the bench's own: a pipe the bench reads would measure the pipe. Default:
   * `-l silent`, stdout the bench's.
   */
  readonly logLevel?: string
}

/** Starts the CLI on `config` and waits until `probePath` answers. */
export async function startRxgateCli(
  config: object,
  probePath: string,
  extraArgs: readonly string[] = [],
  nodeArgs: readonly string[] = [],
  options: CliOptions = {},
): Promise<RxgateCli> {
  const dir = mkdtempSync(join(tmpdir(), 'rxgate-bench-cli-'))
  const remove = () => rmSync(dir, { recursive: true, force: true })
  const forget = atStop(remove)
  const file = join(dir, 'krakend.json')
  writeFileSync(file, JSON.stringify(config, null, 2))
  const port = await freePort()
  const args = [...nodeArgs, CLI, 'run', '-c', file, '-p', String(port), '-l', options.logLevel ?? 'silent', ...extraArgs]
  const log = options.logLevel === undefined ? undefined : openSync(join(dir, 'stdout.log'), 'a')
  const spawnOptions = log === undefined ? {} : { stdio: ['ignore', log, 'inherit'] as ['ignore', number, 'inherit'] }
  // setpriv: the kernel stops the CLI if the bench dies without cleaning up (it has no IPC channel).
  const cli = has('setpriv')
    ? start('setpriv', ['--pdeathsig', 'SIGTERM', process.execPath, ...args], spawnOptions)
    : start(process.execPath, args, spawnOptions)
  // the child has its own copy of the descriptor
  if (log !== undefined) closeSync(log)
  const stop = cli.stop
  const wrapped: Started = {
    child: cli.child,
    stop: async (grace) => {
      await stop(grace)
      remove()
      forget()
    },
  }
  const base = `http://127.0.0.1:${port}`
  try {
    await waitForHttp(`${base}${probePath}`, cli, () => `see its output above (config ${file})`, 'rxgate')
  } catch (error) {
    await wrapped.stop()
    throw error
  }
  return { process: wrapped, base, pid: cli.child.pid ?? 0 }
}
