import { createSocket } from 'node:dgram'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { json, startBackends } from '../../helpers/http-backend.js'
import { cli, writeConfig } from '../../helpers/run-cli.js'
import { freePort, runNode, type Running } from '../../helpers/spawn-node.js'

/**
 * Starts `rxgate run` and waits until it answers its health check: unlike `runGateway`, it does
 * not wait for the "rxgate listening" line, which a level or format may hide or reword.
 */
async function serve(t: Test, config: Record<string, unknown>, flags: string[] = [], env: Record<string, string> = {}): Promise<{ base: string; gateway: Running }> {
  const port = await freePort()
  const gateway = runNode('dist/bin/rxgate.js', ['run', '-c', writeConfig({ version: 3, ...config }), '-p', String(port), ...flags], env)
  t.teardown(async () => {
    gateway.child.kill('SIGTERM')
    await gateway.exited
  })
  const base = `http://127.0.0.1:${port}`
  for (let tries = 0; ; tries++) {
    try {
      if ((await fetch(`${base}/__health`)).ok) break
    } catch {
      if (tries > 100) throw new Error(`rxgate did not start: ${gateway.output()}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  return { base, gateway }
}

/** Stops the gateway and resolves with everything it printed, every line flushed. */
async function stopped(gateway: Running): Promise<string[]> {
  gateway.child.kill('SIGTERM')
  await gateway.exited
  // the health checks `serve` made to see it start are no part of a test
  return gateway.output().split('\n').filter((line) => line !== '' && !line.includes('/__health'))
}

const endpoints = (url: string) => [{ endpoint: '/users/{id}', backend: [{ host: [url], url_pattern: '/users/{id}' }] }]
const down = [{ endpoint: '/down', backend: [{ host: ['http://127.0.0.1:1'], url_pattern: '/down' }] }]

t.test('-l: KrakenD\'s level names and pino\'s, in any case; an unknown one is one line and exit code 2', async (t) => {
  const file = writeConfig({ version: 3, endpoints: down })
  const bad = await cli('run', '-c', file, '-l', 'verbose')
  t.equal(bad.code, 2, 'a usage error')
  t.equal(bad.output.trim().split('\n').length, 1, 'one line')
  t.match(bad.output, /^rxgate: --log-level must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL .* not "verbose"/)
  t.notMatch(bad.output, /at .*\.js:\d+/, 'no stack trace')

  const { base, gateway } = await serve(t, { endpoints: down }, ['-l', 'Warning'])
  await fetch(`${base}/down`)
  const lines = await stopped(gateway)
  t.notOk(lines.some((line) => line.includes('"level":30')), 'no info line at WARNING: neither "rxgate listening" nor the access log')
  t.ok(lines.some((line) => line.includes('"level":40') && line.includes('no backend answered')), 'the warning is there')
})

t.test('telemetry/logging: the default format, its prefix, its level', async (t) => {
  const [users] = await startBackends(t, json({ id: 1 }))
  const logging = { level: 'WARNING', prefix: '[KRAKEND]', stdout: true }
  const { base, gateway } = await serve(t, { extra_config: { 'telemetry/logging': logging }, endpoints: [...endpoints(users!.url), ...down] })
  t.equal((await fetch(`${base}/users/1`)).status, 200)
  await fetch(`${base}/down`)
  const lines = await stopped(gateway)
  t.match(lines, [/^\[KRAKEND\] \d{4}\/\d\d\/\d\d - \d\d:\d\d:\d\d\.\d{3} ▶ WARNING no backend answered endpoint=\/down /], "KrakenD's pattern, the prefix first")
  t.equal(lines.length, 1, 'the level is the file\'s: no INFO line, the access log neither')
  t.notMatch(lines.join('\n'), /\x1b\[/, 'no colours off a terminal')
})

t.test('telemetry/logging: -l wins over the file\'s level', async (t) => {
  const [users] = await startBackends(t, json({ id: 1 }))
  const logging = { level: 'ERROR', stdout: true }
  const { base, gateway } = await serve(t, { extra_config: { 'telemetry/logging': logging }, endpoints: endpoints(users!.url) }, ['-l', 'info'])
  await fetch(`${base}/users/1`)
  const lines = await stopped(gateway)
  t.match(lines, [/ ▶ INFO rxgate listening port=\d+/], 'no prefix: none was given')
  t.ok(lines.some((line) => / ▶ INFO GET \/users\/1 200 [\d.]+ms ip=127\.0\.0\.1 /.test(line)), 'the access line, in the same format')
})

t.test('telemetry/logging: logstash, one JSON object a line, the fields beside KrakenD\'s', async (t) => {
  const [users] = await startBackends(t, json({ id: 1 }))
  const logging = { level: 'INFO', prefix: '[KRAKEND]', stdout: true, format: 'logstash' }
  const { base, gateway } = await serve(t, { extra_config: { 'telemetry/logging': logging }, endpoints: endpoints(users!.url) })
  await fetch(`${base}/users/1`)
  const lines = (await stopped(gateway)).map((line) => JSON.parse(line) as Record<string, unknown>)
  const access = lines.find((line) => line.method === 'GET')
  t.match(access, { '@version': 1, level: 'INFO', message: /^GET \/users\/1 200 [\d.]+ms$/, module: 'RXGATE', path: '/users/1', status: 200 })
  t.match(access?.['@timestamp'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/, "KrakenD's timestamp, in UTC")
  t.match(lines[0], { level: 'INFO', message: 'rxgate listening' })
  t.notOk(lines.some((line) => JSON.stringify(line).includes('[KRAKEND]')), 'no prefix in logstash lines, as in KrakenD')
})

t.test('telemetry/logging: a custom format', async (t) => {
  const logging = { level: 'INFO', stdout: true, format: 'custom', custom_format: '[MY APP LOG] %{time:15:04:05} %{color}%{level:.4s}%{color:reset} #%{id} %{message}' }
  const { gateway } = await serve(t, { extra_config: { 'telemetry/logging': logging }, endpoints: down })
  const lines = await stopped(gateway)
  t.match(lines[0], /^\[MY APP LOG\] \d\d:\d\d:\d\d INFO #1 rxgate listening port=\d+/)
  t.match(lines.at(-1), /^\[MY APP LOG\] \d\d:\d\d:\d\d INFO #\d+ rxgate closed$/)
})

t.test('telemetry/logging: stdout false keeps the application log off stdout, not the access log', async (t) => {
  const [users] = await startBackends(t, json({ id: 1 }))
  const { base, gateway } = await serve(t, { extra_config: { 'telemetry/logging': { level: 'INFO' } }, endpoints: endpoints(users!.url) })
  await fetch(`${base}/users/1`)
  const lines = await stopped(gateway)
  t.equal(lines.length, 1, 'one line')
  t.match(lines[0], / ▶ INFO GET \/users\/1 200 /)
})

/** A syslog receiver on loopback UDP, as a syslog daemon listens. */
async function udpReceiver(t: Test): Promise<{ address: string; lines: string[] }> {
  const socket = createSocket('udp4')
  const lines: string[] = []
  socket.on('message', (message) => lines.push(message.toString()))
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  t.teardown(() => socket.close())
  return { address: `udp://127.0.0.1:${socket.address().port}`, lines }
}

t.test('telemetry/logging: syslog over UDP, each line at its own severity, in the facility asked; the access log never', async (t) => {
  const receiver = await udpReceiver(t)
  const [users] = await startBackends(t, json({ id: 1 }))
  const logging = { level: 'INFO', prefix: 'gateway', syslog: true, syslog_facility: 'local5', stdout: true }
  const { base, gateway } = await serve(t, { extra_config: { 'telemetry/logging': logging }, endpoints: [...endpoints(users!.url), ...down] }, [], { RXGATE_SYSLOG: receiver.address })
  await fetch(`${base}/users/1`)
  await fetch(`${base}/down`)
  await stopped(gateway)
  // local5 is facility 21: <21*8 + severity>; Go's network form: RFC 3339 time, host, tag[pid]
  const header = `gateway\\[${gateway.child.pid}\\]: `
  t.match(receiver.lines, [
    new RegExp(`^<174>\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(Z|[+-]\\d\\d:\\d\\d) \\S+ ${header}INFO > rxgate listening port=\\d+ host=\\S+\\n$`),
    new RegExp(`^<172>\\S+ \\S+ ${header}WARNING > no backend answered endpoint=/down `),
    new RegExp(`^<174>\\S+ \\S+ ${header}INFO > draining 0 requests `),
    new RegExp(`^<174>\\S+ \\S+ ${header}INFO > rxgate closed\\n$`),
  ])
  t.equal(receiver.lines.length, 4, 'no access line in syslog, as KrakenD never writes it there')
})

t.test('telemetry/logging: syslog to a local stream socket, one line each, as Go falls back to', async (t) => {
  const { createServer } = await import('node:net')
  const path = join(mkdtempSync(join(tmpdir(), 'rxgate-syslog-')), 'log')
  let received = ''
  const server = createServer((socket) => socket.on('data', (data) => (received += data.toString())))
  await new Promise<void>((resolve) => server.listen(path, resolve))
  t.teardown(() => new Promise((resolve) => server.close(resolve)))
  const logging = { level: 'INFO', syslog: true, prefix: '[GW]' }
  const { gateway } = await serve(t, { extra_config: { 'telemetry/logging': logging }, endpoints: down }, [], { RXGATE_SYSLOG: `unix://${path}` })
  await stopped(gateway)
  while (!received.includes('rxgate closed')) await new Promise((resolve) => setTimeout(resolve, 20))
  // the default facility local3 (19): <19*8 + 6>; Go's local form: time.Stamp, no host
  t.match(received.split('\n').filter(Boolean), [/^<158>\w{3} [ \d]\d [\d:]{8} \[GW\]\[\d+\]: INFO > rxgate listening /, /INFO > draining 0 requests/, /INFO > rxgate closed$/])
})

t.test('telemetry/logging: a unix datagram socket, which Node.js cannot write to, is refused with what to name instead', async (t) => {
  const logging = { level: 'INFO', syslog: true, stdout: true }
  const { gateway } = await serve(t, { extra_config: { 'github_com/devopsfaith/krakend-gologging': logging }, endpoints: down }, [], { RXGATE_SYSLOG: 'unixgram:///dev/log' })
  const lines = await stopped(gateway)
  t.match(lines[0], /^rxgate: syslog: RXGATE_SYSLOG: Node\.js cannot write to a unix datagram socket \("unixgram:\/\/\/dev\/log"\): name the daemon's UDP input, udp:\/\/127\.0\.0\.1:514, or a stream socket, unix:\/\/\/path; the application log goes to stdout only$/)
  t.match(lines[1], / ▶ INFO rxgate listening/, 'the legacy name is read, and the gateway serves on')
})

t.test('telemetry/logging: syslog out of reach is said on stderr, and the gateway serves on', async (t) => {
  const logging = { level: 'INFO', syslog: true, stdout: true }
  const { gateway } = await serve(t, { extra_config: { 'telemetry/logging': logging }, endpoints: down }, [], { RXGATE_SYSLOG: 'udp//nowhere' })
  const lines = await stopped(gateway)
  t.match(lines[0], /^rxgate: syslog: RXGATE_SYSLOG must be unix:\/\/\/path or udp:\/\/host:port, not "udp\/\/nowhere"; the application log goes to stdout only$/)
  t.match(lines[1], / ▶ INFO rxgate listening/)
})

t.test('check: telemetry/logging is implemented, not ignored, and its mistakes are named', async (t) => {
  const ok = await cli('check', '-c', writeConfig({ version: 3, extra_config: { 'telemetry/logging': { level: 'DEBUG', stdout: true } }, endpoints: down }))
  t.equal(ok.code, 0)
  t.notMatch(ok.output, /ignored/)
  const bad = await cli(
    'check',
    '-c',
    writeConfig({ version: 3, extra_config: { 'telemetry/logging': { level: 'VERBOSE', stdout: true, format: 'custom', custom_format: '%{mesage}' } }, endpoints: down }),
  )
  t.equal(bad.code, 1)
  t.match(bad.output, /\/extra_config\/telemetry~1logging\/level: must be one of "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL" \(got "VERBOSE"\)/)
  t.match(bad.output, /\/extra_config\/telemetry~1logging\/custom_format: has an unknown variable %\{mesage\}/)
  const missing = await cli('check', '-c', writeConfig({ version: 3, extra_config: { 'telemetry/logging': { level: 'INFO', stdout: true, format: 'custom' } }, endpoints: down }))
  t.match(missing.output, /custom_format: is required by "format": "custom"/)
  const nowhere = await cli('check', '-c', writeConfig({ version: 3, extra_config: { 'telemetry/logging': { level: 'INFO' } }, endpoints: down }))
  t.equal(nowhere.code, 0)
  t.match(nowhere.output, /warning: \/extra_config\/telemetry~1logging: neither "stdout" nor "syslog" is true/)
})

/** A gateway's JSON lines, parsed. */
const parsed = (lines: readonly string[]) => lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>)

t.test('a backend failure names its backend by url_pattern; "partial answer" only when something was delivered', async (t) => {
  const [users, slow] = await startBackends(t, json({ id: 1 }), json({ late: true }, 2000))
  const config = {
    endpoints: [
      {
        endpoint: '/some/{id}',
        timeout: '300ms',
        backend: [
          { host: [users!.url], url_pattern: '/users/{id}' },
          { host: [slow!.url], url_pattern: '/slow/{id}' },
        ],
      },
      { endpoint: '/none', timeout: '300ms', backend: [{ host: [slow!.url], url_pattern: '/slow/none' }, { host: ['http://127.0.0.1:1'], url_pattern: '/refused' }] },
    ],
  }
  const { base, gateway } = await serve(t, config)
  t.equal((await fetch(`${base}/some/1`)).headers.get('x-rxgate-completed'), 'false')
  await fetch(`${base}/none`)
  const lines = parsed(await stopped(gateway))
  const partial = lines.find((line) => line.msg === 'partial answer')
  t.match(partial, { level: 40, endpoint: '/some/{id}', failures: [{ backend: '/slow/{id}', code: 'RXGATE_ERR_TIMEOUT' }] })
  t.notOk(partial && 'err' in partial, 'a timeout is routine: no stack')
  const none = lines.find((line) => line.msg === 'no backend answered')
  t.match(none, { level: 40, endpoint: '/none', failures: [{ backend: '/slow/none', code: 'RXGATE_ERR_TIMEOUT' }, { backend: '/refused', code: 'RXGATE_ERR_BACKEND_NETWORK' }] })
  t.notOk(lines.some((line) => line.msg === 'partial answer' && line.endpoint === '/none'), 'nothing delivered is not a partial answer')
  t.notOk(JSON.stringify(lines).includes('"source"'), 'no source named by its position')
})

t.test("the endpoint's own deadline (504) is a warning without a stack", async (t) => {
  const [slow] = await startBackends(t, json({ late: true }, 3000))
  // the endpoint's backends are given its timeout; the route's last resort is 1 s later: a sequential
  // proxy past its deadline answers with the parts it has, so this endpoint uses no-op to reach it
  const config = { endpoints: [{ endpoint: '/raw', timeout: '200ms', output_encoding: 'no-op', backend: [{ host: [slow!.url], url_pattern: '/raw', encoding: 'no-op' }] }] }
  const { base, gateway } = await serve(t, config)
  t.equal((await fetch(`${base}/raw`)).status, 504)
  const lines = parsed(await stopped(gateway))
  const timedOut = lines.find((line) => line.code === 'RXGATE_ERR_ENDPOINT_TIMEOUT')
  t.match(timedOut, { level: 40, msg: 'endpoint timed out', endpoint: '/raw' })
  t.notOk(timedOut && 'err' in timedOut, 'no stack')
})

t.test('-l debug: one line per backend call, with its method, URL, status, duration and outcome', async (t) => {
  const [users] = await startBackends(t, json({ id: 1 }))
  const { base, gateway } = await serve(t, { endpoints: [...endpoints(users!.url), ...down] }, ['-l', 'DEBUG'])
  await fetch(`${base}/users/7?x=1`)
  await fetch(`${base}/down`)
  const calls = parsed(await stopped(gateway)).filter((line) => line.msg === 'backend call')
  t.match(calls, [
    { level: 20, backend: '/users/{id}', method: 'GET', url: `${users!.url}/users/7`, status: 200, ms: Number, outcome: 'delivered' },
    { level: 20, backend: '/down', method: 'GET', url: 'http://127.0.0.1:1/down', outcome: 'failed', code: 'RXGATE_ERR_BACKEND_NETWORK' },
  ])
  t.equal(calls.length, 2)
})

t.test('a signal: "draining N requests"; a request cut at the drain\'s deadline (10 s) is logged as cut, never as a 200', async (t) => {
  const [slow] = await startBackends(t, json({ late: true }, 20_000))
  const config = { timeout: '30s', endpoints: [{ endpoint: '/slow', backend: [{ host: [slow!.url], url_pattern: '/slow' }] }] }
  const { base, gateway } = await serve(t, config)
  const answer = fetch(`${base}/slow`).then(
    (res) => res.status,
    () => 'cut',
  )
  await new Promise((resolve) => setTimeout(resolve, 300))
  const lines = parsed(await stopped(gateway))
  t.equal(await answer, 'cut', 'the client sees its connection cut')
  t.match(lines.find((line) => typeof line.msg === 'string' && line.msg.startsWith('draining')), { level: 30, msg: 'draining 1 request', requests: 1 })
  t.match(lines.find((line) => line.path === '/slow'), { msg: 'request', status: 0, cut: true, completed: false })
})

/** The top-level keys of a JSON line that appear more than once (JSON.parse would keep the last silently). */
function duplicateKeys(line: string): string[] {
  const seen = new Set<string>()
  const twice: string[] = []
  let depth = 0
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (c === '"') {
      let end = i + 1
      while (line[end] !== '"') end += line[end] === '\\' ? 2 : 1
      const text = line.slice(i + 1, end)
      if (depth === 1 && line[end + 1] === ':') {
        if (seen.has(text)) twice.push(text)
        seen.add(text)
      }
      i = end
    } else if (c === '{' || c === '[') depth++
    else if (c === '}' || c === ']') depth--
  }
  return twice
}

t.test('no line has a key twice; a dead worker is named by worker_pid, beside the supervisor\'s own pid', async (t) => {
  t.same(duplicateKeys('{"pid":1,"a":{"pid":2},"pid":3}'), ['pid'], 'the check finds them')
  const [users] = await startBackends(t, json({ id: 1 }))
  const { base, gateway } = await serve(t, { endpoints: [...endpoints(users!.url), ...down] }, ['-w', '2', '-l', 'debug'])
  await fetch(`${base}/users/1`)
  await fetch(`${base}/down`)
  await fetch(`${base}/nope`)
  const listening = () => parsed(gateway.output().split('\n')).filter((line) => line.msg === 'rxgate listening')
  while (listening().length < 2) await new Promise((resolve) => setTimeout(resolve, 50))
  const victim = listening()[0]!.pid as number
  process.kill(victim, 'SIGKILL')
  await gateway.waitFor('a worker died')
  while (listening().length < 3) await new Promise((resolve) => setTimeout(resolve, 50))
  const lines = await stopped(gateway)
  const died = parsed(lines).find((line) => line.msg === 'a worker died: starting another')
  t.match(died, { level: 50, worker_pid: victim, pid: gateway.child.pid, signal: 'SIGKILL' })
  const jsonLines = lines.filter((line) => line.startsWith('{'))
  t.ok(jsonLines.length > 10, `${jsonLines.length} lines`)
  t.same(jsonLines.filter((line) => duplicateKeys(line).length > 0), [], 'no key twice in any line')
})
