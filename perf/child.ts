import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
/**
 * The child side of processes.ts: a script the bench starts reports when it is ready,
 * and exits when the bench goes away or asks it to.
 */

/**
 * For a child script: exit when the bench goes away (its IPC channel closes) or asks politely,
 * running `close` first (which lets `--cpu-prof` write its profile).
 */
export function exitWithParent(close: () => Promise<void>): void {
  let closing = false
  const exit = () => {
    if (closing) return
    closing = true
    const timer = setTimeout(() => process.exit(0), 5000)
    timer.unref()
    close().finally(() => process.exit(0))
  }
  process.once('disconnect', exit)
  process.once('SIGTERM', exit)
  process.once('SIGINT', exit)
}

/** For a child script: tell the bench it is listening. */
export function reportReady(ready: unknown): void {
  process.send?.({ ready })
}

/** For a child script: tell the bench why it could not start, then exit. */
export function reportFailure(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error)
  console.error(message)
  // Exit once the message is sent, or it may be lost.
  if (process.send) process.send({ error: message }, () => process.exit(1))
  else process.exit(1)
}

/**
 * For a contender written on node:http: listen on a free loopback port, report it, and on exit
 * close the server and then what `release` frees (its undici pools).
 */
export async function serveContender(server: Server, release: () => Promise<unknown>): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  exitWithParent(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    await release()
  })
  reportReady((server.address() as AddressInfo).port)
}
