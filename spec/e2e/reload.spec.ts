import { renameSync, writeFileSync } from 'node:fs'
import { get as httpGet } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import t, { type Test } from 'tap'
import { Agent, request } from 'undici'
import { json, startBackends, type TestBackend } from '../helpers/http-backend.js'
import { runGateway, writeConfig } from '../helpers/run-cli.js'
import { freePort, runNode, type Running } from '../helpers/spawn-node.js'

// `rxgate run` reloads its file in place (SIGHUP, --watch): under steady load no request fails,
// each change shows once its reload is logged, a bad file is refused and the old one serves on,
// a request in flight finishes on the old pipeline, and --workers 2 reloads every worker.

const backend = (server: TestBackend, extra: Record<string, unknown> = {}) => ({ host: [server.url], url_pattern: '/', ...extra })

/** The log lines of a run, parsed (the non-JSON ones left out). */
function logLines(run: Running): Record<string, unknown>[] {
  return run
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}

/** How many lines of the run's log have `msg` starting with `text`. */
function count(run: Running, text: string): number {
  return logLines(run).filter((line) => String(line.msg).startsWith(text)).length
}

/** Waits until the log has more than `already` lines starting with `text`. */
async function logged(run: Running, text: string, already: number, ms = 15_000): Promise<void> {
  const until = Date.now() + ms
  while (count(run, text) <= already) {
    if (Date.now() > until) throw new Error(`no new "${text}" within ${ms} ms; output:\n${run.output()}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** Writes a file as editors do: another file, renamed over it. */
function save(file: string, config: unknown): void {
  writeFileSync(`${file}.tmp`, JSON.stringify({ version: 3, ...(config as object) }, null, 2))
  renameSync(`${file}.tmp`, file)
}

/** Clients that call `path` in a loop over keep-alive connections until stopped, counting what fails. */
function steadyLoad(url: string, clients: number) {
  const agent = new Agent({ connections: clients, pipelining: 0 })
  const failures: string[] = []
  let answered = 0
  let stopped = false
  const loop = async () => {
    while (!stopped) {
      try {
        const res = await request(url, { dispatcher: agent, headers: { origin: 'https://v0.example' } })
        await res.body.text()
        if (res.statusCode === 200) answered++
        else failures.push(`status ${res.statusCode}`)
      } catch (error) {
        failures.push(String(error))
      }
    }
  }
  const loops = Array.from({ length: clients }, loop)
  return {
    failures,
    answered: () => answered,
    async stop() {
      stopped = true
      await Promise.all(loops)
      await agent.close()
    },
  }
}

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers })
  return { status: res.status, body: await res.text(), cors: res.headers.get('access-control-allow-origin') }
}

/**
 * The configuration of step `i`: `/steady` (always there: its backend alternates between A and
 * B, its allow list between one field and two), `/v{i}` (added at step i, gone at i+1), and a
 * CORS allow list naming `https://v{i}.example` only (and v0, which the load sends).
 */
function step(i: number, a: TestBackend, b: TestBackend) {
  return {
    extra_config: { 'security/cors': { allow_origins: ['https://v0.example', `https://v${i}.example`] } },
    endpoints: [
      { endpoint: '/steady', backend: [backend(i % 2 === 0 ? a : b, { allow: i % 4 < 2 ? ['from'] : ['from', 'n'] })] },
      { endpoint: `/v${i}`, backend: [backend(a, { allow: ['from'] })] },
    ],
  }
}

/** What `/steady` answers at step i. */
function steadyAt(i: number) {
  const from = i % 2 === 0 ? 'A' : 'B'
  return i % 4 < 2 ? { from } : { from, n: from === 'A' ? 1 : 2 }
}

async function reloadsUnderLoad(t: Test, how: 'SIGHUP' | '--watch') {
  const [a, b] = await startBackends(t, json({ from: 'A', n: 1, secret: 'a' }), json({ from: 'B', n: 2, secret: 'b' }))
  const file = writeConfig({ version: 3, ...step(0, a!, b!) })
  const { base, gateway } = await runGateway(t, file, ...(how === '--watch' ? ['--watch'] : []))
  const load = steadyLoad(`${base}/steady`, 20)
  try {
    for (let i = 1; i <= 5; i++) {
      const before = count(gateway, 'configuration reloaded')
      save(file, step(i, a!, b!))
      if (how === 'SIGHUP') gateway.child.kill('SIGHUP')
      await logged(gateway, 'configuration reloaded', before)
      t.same(JSON.parse((await get(`${base}/steady`)).body), steadyAt(i), `step ${i}: /steady calls its new backend, with its new allow list`)
      t.same(await get(`${base}/v${i}`), { status: 200, body: '{"from":"A"}', cors: null }, `step ${i}: /v${i} added`)
      t.equal((await get(`${base}/v${i - 1}`)).status, 404, `step ${i}: /v${i - 1} removed`)
      t.equal((await get(`${base}/v${i}`, { origin: `https://v${i}.example` })).cors, `https://v${i}.example`, `step ${i}: the new CORS origin allowed`)
      if (i > 1) t.equal((await get(`${base}/v${i}`, { origin: `https://v${i - 1}.example` })).cors, null, `step ${i}: the old one no longer`)
    }
  } finally {
    await load.stop()
  }
  t.same(load.failures, [], 'no request failed during the reloads')
  t.ok(load.answered() > 100, `the load kept going (${load.answered()} answers)`)
  t.equal(gateway.child.exitCode, null, 'the same process')
  t.equal(count(gateway, 'configuration not reloaded'), 0)
}

t.test('five reloads by SIGHUP under steady load: no request fails, and each change shows', (t) => reloadsUnderLoad(t, 'SIGHUP'))

t.test('five reloads by --watch under steady load: no request fails, and each change shows', (t) => reloadsUnderLoad(t, '--watch'))

t.test('a file that does not pass check is refused, each problem logged on its line, and the old one serves on', async (t) => {
  const [a] = await startBackends(t, json({ from: 'A' }))
  const file = writeConfig({ version: 3, endpoints: [{ endpoint: '/a', backend: [backend(a!)] }] })
  const { base, gateway } = await runGateway(t, file)
  writeFileSync(file, JSON.stringify({ version: 3, endpoints: [{ endpoint: '/a', method: 'FETCH', backend: [backend(a!)] }, { endpoint: '/b', backend: [backend(a!, { url_pattern: 'users' })] }] }))
  gateway.child.kill('SIGHUP')
  await logged(gateway, 'configuration not reloaded', 0)
  const lines = logLines(gateway)
  const refusal = lines.find((line) => String(line.msg).startsWith('configuration not reloaded'))!
  t.match(refusal.msg, /is not valid \(2 problems\); still serving the one loaded before/)
  t.equal(refusal.level, 50, 'an error')
  const messages = lines.map((line) => line.msg)
  t.ok(messages.includes('/endpoints/0/method: must be one of "GET", "POST", "PUT", "PATCH", "DELETE" (got "FETCH")'), 'each problem is a line of its own, as check prints it')
  t.ok(messages.some((message) => String(message).startsWith('/endpoints/1/backend/0/url_pattern: must start with "/"')))
  t.same(await get(`${base}/a`), { status: 200, body: '{"from":"A"}', cors: null }, 'the old routes still answer')
  t.equal((await get(`${base}/b`)).status, 404)

  writeFileSync(file, '{ "version": 3, "endpoints": [')
  gateway.child.kill('SIGHUP')
  await logged(gateway, 'configuration not reloaded', 1)
  t.match(gateway.output(), /invalid JSON at line 1/, 'a syntax error names its place')

  writeFileSync(file, JSON.stringify({ version: 3, endpoints: [{ endpoint: '/b', backend: [backend(a!)] }] }))
  gateway.child.kill('SIGHUP')
  await logged(gateway, 'configuration reloaded', 0)
  t.equal((await get(`${base}/b`)).status, 200, 'a fixed file is taken')
  t.equal(gateway.child.exitCode, null)
})

t.test('a request in flight on a slow backend finishes with the old pipeline\'s answer', async (t) => {
  let slowStarted: () => void
  const started = new Promise<void>((resolve) => (slowStarted = resolve))
  const slow = (req: IncomingMessage, res: ServerResponse) => {
    slowStarted()
    json({ v: 'old' }, 1500)(req, res)
  }
  const [old, fresh] = await startBackends(t, slow, json({ v: 'new' }))
  const file = writeConfig({ version: 3, endpoints: [{ endpoint: '/slow', timeout: '5s', backend: [backend(old!)] }] })
  const { base, gateway } = await runGateway(t, file)
  const inFlight = get(`${base}/slow`)
  await started
  writeFileSync(file, JSON.stringify({ version: 3, endpoints: [{ endpoint: '/slow', backend: [backend(fresh!)] }] }))
  gateway.child.kill('SIGHUP')
  await logged(gateway, 'configuration reloaded', 0)
  t.same(await get(`${base}/slow`), { status: 200, body: '{"v":"new"}', cors: null }, 'a request after the reload: the new backend')
  t.same(await inFlight, { status: 200, body: '{"v":"old"}', cors: null }, 'the one in flight: the old backend, answered whole')
  t.equal(old!.seen.length, 1)
})

t.test('settings that need a restart are said in one warning line and kept', async (t) => {
  const [a] = await startBackends(t, json({ from: 'A' }))
  const file = writeConfig({ version: 3, endpoints: [{ endpoint: '/a', backend: [backend(a!)] }] })
  const { base, gateway } = await runGateway(t, file)
  writeFileSync(file, JSON.stringify({ version: 3, port: 1, listen_ip: '127.0.0.2', max_header_bytes: 4096, endpoints: [{ endpoint: '/b', backend: [backend(a!)] }] }))
  gateway.child.kill('SIGHUP')
  await logged(gateway, 'changed settings that need a restart', 0)
  const warning = logLines(gateway).find((line) => String(line.msg).startsWith('changed settings that need a restart'))!
  t.equal(warning.msg, 'changed settings that need a restart, still as before until then: listen_ip, max_header_bytes', '-p chose the port: the file\'s is not said')
  t.equal((await get(`${base}/b`)).status, 200, 'the rest is reloaded, on the same port and address')
})

t.test('a rate limit whose block did not change keeps its buckets across a reload; a changed one starts full', async (t) => {
  const [a] = await startBackends(t, json({ from: 'A' }))
  const limited = (rate: number) => ({ endpoint: '/limited', extra_config: { 'qos/ratelimit/router': { max_rate: rate, every: '1h', capacity: rate } }, backend: [backend(a!)] })
  const file = writeConfig({ version: 3, endpoints: [limited(3)] })
  const { base, gateway } = await runGateway(t, file)
  const statuses = async (n: number) => {
    const out: number[] = []
    for (let i = 0; i < n; i++) out.push((await get(`${base}/limited`)).status)
    return out
  }
  t.same(await statuses(4), [200, 200, 200, 503], 'three tokens, then refused')
  writeFileSync(file, JSON.stringify({ version: 3, endpoints: [limited(3), { endpoint: '/other', backend: [backend(a!)] }] }))
  gateway.child.kill('SIGHUP')
  await logged(gateway, 'configuration reloaded', 0)
  t.same(await statuses(1), [503], 'the same block after a reload: still empty')
  writeFileSync(file, JSON.stringify({ version: 3, endpoints: [limited(4)] }))
  gateway.child.kill('SIGHUP')
  await logged(gateway, 'configuration reloaded', 1)
  t.same(await statuses(5), [200, 200, 200, 200, 503], 'a changed block: new buckets, full')
})

t.test('--workers 2: SIGHUP to the supervisor reloads both workers, and it logs one line', async (t) => {
  const [a] = await startBackends(t, json({ from: 'A' }))
  const file = writeConfig({ version: 3, endpoints: [{ endpoint: '/a', backend: [backend(a!)] }] })
  // three processes start on a busy machine: more time than runGateway gives one
  const port = await freePort()
  const gateway = runNode('dist/bin/rxgate.js', ['run', '-c', file, '-p', String(port), '-w', '2'])
  t.teardown(async () => {
    gateway.child.kill('SIGTERM')
    await gateway.exited
  })
  const base = `http://127.0.0.1:${port}`
  await logged(gateway, 'rxgate listening', 1, 60_000)
  writeFileSync(file, JSON.stringify({ version: 3, endpoints: [{ endpoint: '/b', backend: [backend(a!)] }] }))
  gateway.child.kill('SIGHUP')
  await logged(gateway, 'configuration reloaded', 0)
  const round = logLines(gateway).filter((line) => String(line.msg).startsWith('configuration reloaded'))
  t.equal(round.length, 1, 'one line for the round')
  t.equal(round[0]!.msg, 'configuration reloaded by 2 of 2 workers')
  t.equal(round[0]!.pid, gateway.child.pid, 'by the supervisor')

  // new connections go to the workers in turn: ask until both have answered /b
  const pids = new Set<unknown>()
  for (let i = 0; i < 40 && pids.size < 2; i++) {
    const status = await new Promise<number>((resolve, reject) => {
      httpGet(`${base}/b`, { agent: false }, (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      }).on('error', reject)
    })
    t.equal(status, 200, 'every worker serves /b')
    await new Promise((resolve) => setTimeout(resolve, 300))
    for (const line of logLines(gateway)) if (line.msg === 'request' && line.path === '/b' && line.status === 200) pids.add(line.pid)
  }
  t.equal(pids.size, 2, 'both workers answered /b')

  writeFileSync(file, JSON.stringify({ version: 3, endpoints: [{ endpoint: 'b' }] }))
  gateway.child.kill('SIGHUP')
  await logged(gateway, 'configuration not reloaded', 0)
  const refusal = logLines(gateway).find((line) => String(line.msg).startsWith('configuration not reloaded'))!
  t.match(refusal.msg, /^configuration not reloaded by any of 2 workers: .* is not valid \(2 problems\)/)
  t.equal(logLines(gateway).filter((line) => line.msg === '/endpoints/0/backend: is required').length, 1, 'each problem once, not once per worker')
  t.equal((await get(`${base}/b`)).status, 200, 'the workers serve on')
})
