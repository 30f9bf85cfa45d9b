/**
 * The three backend services, served by a process of their own so that they do not share the
 * contenders' event loop: nginx serving the fixture files (the cheapest backend, leaving the most
 * CPU to the contenders), installed with apt-get when missing and running as root; otherwise the
 * small Node server in backend-server.ts, with a warning. BENCH_BACKENDS=nginx|node forces one.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { aptInstall, canInstall } from './apt.js'
import { fixtures, SERVICES, type ServiceName } from './fixtures.js'
import { atStop, start, startScript, type Started } from './processes.js'

export interface Backends {
  /** What serves them, for the report: `nginx 1.22.1` or `node (backend-server.ts)`. */
  readonly server: string
  /** Base URL of each service, `http://127.0.0.1:PORT`. */
  readonly urls: Record<ServiceName, string>
  stop(): Promise<void>
}

/**
 * Extra static files, each served at a URL path on the first service's port (`users`):
 * `{ '/big.json': '/tmp/.../big.json' }`. Files must be readable by all (nginx's workers).
 */
export interface BackendOptions {
  readonly files?: Readonly<Record<string, string>>
}

export async function startBackends(options: BackendOptions = {}): Promise<Backends> {
  const files = options.files ?? {}
  const forced = process.env.BENCH_BACKENDS
  if (forced !== undefined && forced !== 'nginx' && forced !== 'node') throw new Error(`BENCH_BACKENDS must be nginx or node, not "${forced}"`)
  if (forced === 'node') return startNode(files)
  const missing = ensureNginx()
  if (missing === undefined) return startNginx(files)
  if (forced === 'nginx') throw new Error(`BENCH_BACKENDS=nginx, but ${missing}: \`apt-get install -y nginx\` as root, then run the bench again`)
  console.warn(`warning: ${missing}, so the backends are a Node process (perf/backend-server.ts), which takes more CPU ` +
    'from the contenders on this machine; install nginx (`apt-get install -y nginx`) for the cheaper backend')
  return startNode(files)
}

// Once per run: big-body starts backends of its own, and must not run apt-get again.
let nginxChecked: { readonly missing: string | undefined } | undefined

/** Why nginx cannot serve the backends, or undefined once it is there, installed if need be. */
function ensureNginx(): string | undefined {
  nginxChecked ??= { missing: installNginx() }
  return nginxChecked.missing
}

function installNginx(): string | undefined {
  if (has('nginx')) return undefined
  if (!canInstall()) return 'nginx is not installed, and the bench is not running as root to install it'
  console.log("nginx is not installed: installing Debian's package")
  if (!aptInstall('nginx')) return 'nginx is not installed, and apt-get could not install it'
  if (!has('nginx')) return 'apt-get installed nginx but `nginx` is not on the PATH'
  return undefined
}

async function startNode(files: Readonly<Record<string, string>>): Promise<Backends> {
  const { process: server, ready: ports } = await startScript<Record<ServiceName, number>>('./backend-server.js', { BENCH_FILES: JSON.stringify(files) })
  return { server: 'node (perf/backend-server.ts)', urls: urlsOf(ports), stop: () => server.stop() }
}

async function startNginx(files: Readonly<Record<string, string>>): Promise<Backends> {
  const dir = mkdtempSync(join(tmpdir(), 'rxgate-bench-nginx-'))
  // nginx's workers run as nobody: they must be able to read the fixtures.
  chmodSync(dir, 0o755)
  const ports = {} as Record<ServiceName, number>
  for (const name of SERVICES) {
    writeFileSync(join(dir, `${name}.json`), fixtures[name].body, { mode: 0o644 })
    ports[name] = await freePort()
  }
  mkdirSync(join(dir, 'tmp'))
  const conf = join(dir, 'nginx.conf')
  writeFileSync(conf, nginxConf(dir, ports, files))
  let nginx: Started | undefined
  const remove = () => rmSync(dir, { recursive: true, force: true })
  const forget = atStop(remove)
  const cleanup = async () => {
    await nginx?.stop()
    remove()
    forget()
  }
  try {
    const args = ['-p', dir, '-e', join(dir, 'error.log'), '-c', conf, '-g', 'daemon off;']
    // setpriv makes the kernel stop nginx if the bench dies without cleaning up (SIGKILL, say).
    nginx = has('setpriv') ? start('setpriv', ['--pdeathsig', 'SIGTERM', 'nginx', ...args]) : start('nginx', args)
    await Promise.all(SERVICES.map((name) => waitForHttp(`http://127.0.0.1:${ports[name]}/`, nginx!, () => readLog(dir))))
  } catch (error) {
    await cleanup()
    throw error
  }
  return { server: nginxVersion(), urls: urlsOf(ports), stop: cleanup }
}

function nginxConf(dir: string, ports: Record<ServiceName, number>, files: Readonly<Record<string, string>>): string {
  const extra = Object.entries(files).map(([path, file]) => `    location = ${path} { alias ${file}; }\n`).join('')
  // One server per service: each answers any path with its file (the id does not matter here).
  const servers = SERVICES.map(
    (name, i) => `  server {
    listen 127.0.0.1:${ports[name]};
${i === 0 ? extra : ''}    location / { root ${dir}; try_files /${name}.json =404; }
  }`,
  ).join('\n')
  return `worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  default_type application/json;
  types { }
  # The contenders' keep-alive pools keep their connections for the whole run.
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  open_file_cache max=16;
  open_file_cache_valid 600s;
  etag off;
  client_body_temp_path ${join(dir, 'tmp')};
  proxy_temp_path ${join(dir, 'tmp')};
  fastcgi_temp_path ${join(dir, 'tmp')};
  uwsgi_temp_path ${join(dir, 'tmp')};
  scgi_temp_path ${join(dir, 'tmp')};
${servers}
}
`
}

function urlsOf(ports: Record<ServiceName, number>): Record<ServiceName, string> {
  return Object.fromEntries(SERVICES.map((name) => [name, `http://127.0.0.1:${ports[name]}`])) as Record<ServiceName, string>
}

export function has(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

function nginxVersion(): string {
  // nginx prints its version on stderr.
  const { stderr } = spawnSync('nginx', ['-v'], { encoding: 'utf8' })
  return stderr?.trim().replace('nginx version: ', '') || 'nginx'
}

/** A port free right now (nginx needs fixed ports; the Node contenders take port 0 instead). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}

export async function waitForHttp(url: string, server: Started, log: () => string, name = 'nginx'): Promise<void> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null) throw new Error(`${name} exited (code ${server.child.exitCode}): ${log()}`)
    try {
      const res = await fetch(url)
      await res.arrayBuffer()
      if (res.ok) return
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${name} did not answer on ${url} within 10 s: ${log()}`)
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'error.log'), 'utf8').trim() || '(empty error log)'
  } catch {
    return '(no error log)'
  }
}
