import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

/** The project's root, where `npm test` has built `dist/`. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** A free loopback port, for a child process that must be told one. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

export interface Running {
  readonly child: ChildProcess
  /** Everything the process printed so far. */
  output(): string
  /** Resolves when the output contains `text`; rejects after `ms`. */
  waitFor(text: string, ms?: number): Promise<void>
  /** Resolves with the exit code, once all the output is read. */
  exited: Promise<number | null>
}

/** Runs a built script of the project with node, capturing its output. */
export function runNode(script: string, args: string[] = [], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'pipe' })
  let text = ''
  const listeners = new Set<() => void>()
  const collect = (chunk: Buffer) => {
    text += chunk.toString()
    for (const listener of listeners) listener()
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  // 'close', not 'exit': the exit code can arrive before the last of the output.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
  return {
    child,
    output: () => text,
    exited,
    waitFor: (wanted, ms = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!text.includes(wanted)) return
          listeners.delete(check)
          clearTimeout(timer)
          resolve()
        }
        const timer = setTimeout(() => {
          listeners.delete(check)
          reject(new Error(`no "${wanted}" within ${ms} ms; output:\n${text}`))
        }, ms)
        listeners.add(check)
        check()
      }),
  }
}
