import { existsSync, readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { fileURLToPath } from 'node:url'
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv'
import { authFindings } from './auth-rules.js'
import { telemetryFindings } from './telemetry-rules.js'
import { didYouMean } from './did-you-mean.js'
import { sanitizeHost } from './hosts.js'
import { checkMiddlewareOptions } from './middleware-options.js'
import { readExtraConfig, shortName, type Scope } from './namespaces.js'
import { failsClosed, unenforcedEffect, unenforcedMessage } from './unenforced.js'
import { loadServerTls } from '../tls/server-tls.js'
import { tlsSettings } from '../tls/settings.js'
import { findUnknownKeys, type KeyFinding, type SchemaNode } from './unknown-keys.js'

/** What validation found: problems make the configuration unusable, warnings do not. */
export interface Validation {
  /** Every problem, as `<JSON pointer>: <what was expected>`, in document order. */
  readonly problems: readonly string[]
  /** Settings that are legal but ignored or suspicious, with their JSON pointer. */
  readonly warnings: readonly string[]
}

/** How strict a check is. */
export interface ValidationOptions {
  /**
   * Serve without the settings that protect or shape traffic which rxgate does not enforce
   * (`auth/*`, `security/*`, `qos/*`, `validation/*`, `plugin/*` namespaces):
   * each becomes a warning instead of a problem. `--allow-unenforced`.
   */
  readonly allowUnenforced?: boolean
  /** Keys no schema knows (typos, KrakenD v2 names) are problems, not warnings. `--lint`. */
  readonly lint?: boolean
}

/**
 * Checks a raw configuration (the parsed file) against the JSON Schema and against the rules a
 * schema cannot express (reserved paths, duplicate routes, URL placeholders, hosts, unenforced
 * settings, unknown keys, ...), and returns every problem at once, so one run shows everything to fix.
 */
export function validateConfig(raw: unknown, options: ValidationOptions = {}): Validation {
  const problems: Problem[] = []
  const { validate, schema } = compiled()
  if (!validate(raw)) problems.push(...schemaProblems(validate.errors ?? []))
  const semantic = new Semantics(options)
  semantic.service(raw)
  semantic.keys(findUnknownKeys(raw, schema))
  problems.push(...semantic.problems)
  const seen = new Set<string>()
  const lines = sortByPointer(problems)
    .map(({ pointer, message }) => `${pointer === '' ? '(root)' : pointer}: ${message}`)
    .filter((line) => !seen.has(line) && seen.add(line))
  return { problems: lines, warnings: semantic.warnings }
}

/** The JSON Schema's location: `schema/` at the package root, from the sources or from `dist/`. */
export const SCHEMA_PATH = locateSchema()

function locateSchema(): string {
  const paths = ['../../schema/krakend-v3.schema.json', '../../../schema/krakend-v3.schema.json'].map((relative) =>
    fileURLToPath(new URL(relative, import.meta.url)),
  )
  return paths.find((path) => existsSync(path)) ?? paths[0]!
}

let validator: { validate: ValidateFunction; schema: SchemaNode } | undefined

/** Compiled once, on first use: compiling costs far more than validating. */
function compiled(): { validate: ValidateFunction; schema: SchemaNode } {
  if (validator) return validator
  const Ajv = AjvModule.default
  // verbose: errors carry their schema, which holds the `x-message` of patterns
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false, logger: false })
  ajv.addKeyword({ keyword: 'x-message', schemaType: 'string' })
  // KrakenD keys rxgate ignores: read by the unknown-key walk, not by ajv
  ajv.addKeyword({ keyword: 'x-unimplemented', schemaType: 'boolean' })
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as SchemaNode
  validator = { validate: ajv.compile(schema), schema }
  return validator
}

interface Problem {
  readonly pointer: string
  readonly message: string
}

function schemaProblems(errors: readonly ErrorObject[]): Problem[] {
  const problems: Problem[] = []
  for (const error of errors) {
    // `if` only says "the then branch failed"; that branch's own error says why
    if (error.keyword === 'if') continue
    if (error.keyword === 'required') {
      const property = (error.params as { missingProperty: string }).missingProperty
      problems.push({ pointer: `${error.instancePath}/${escapePointer(property)}`, message: 'is required' })
      continue
    }
    const custom = (error.parentSchema as { 'x-message'?: string } | undefined)?.['x-message']
    const counted = /^m(in|ax)Items$/.test(error.keyword) && Array.isArray(error.data)
    const value = counted ? ` (got ${count(error.data as unknown[])})` : got(error.data)
    problems.push({ pointer: error.instancePath, message: custom ? `${custom}${value}` : plainEnglish(error) })
  }
  return problems
}

/** ajv's keyword errors in words a reader of the configuration understands. */
function plainEnglish(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'type': {
      const type = String(params.type)
      return `must be ${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}${got(error.data)}`
    }
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}${got(error.data)}`
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}${got(error.data)}`
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${String(params.comparison)} ${String(params.limit)}${got(error.data)}`
    case 'minItems':
      return params.limit === 1 ? 'must not be empty' : `must have at least ${String(params.limit)} items`
    case 'maxItems':
      return `must have at most ${String(params.limit)} items`
    case 'minLength':
      return params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters long`
    case 'uniqueItems': {
      const [first, second] = [params.i as number, params.j as number].sort((a, b) => a - b)
      return `must not repeat ${JSON.stringify((error.data as unknown[])[first!])} (items ${first} and ${second})`
    }
    case 'pattern':
      return `must match the pattern ${String(params.pattern)}${got(error.data)}`
    default:
      return error.message ?? `fails the ${error.keyword} rule`
  }
}

function count(items: readonly unknown[]): string {
  return items.length === 1 ? '1 item' : `${items.length} items`
}

/** The offending value, shortened, so the reader need not look it up. */
function got(value: unknown): string {
  if (value === undefined) return ''
  if (Array.isArray(value)) return ' (got an array)'
  if (typeof value === 'object' && value !== null) return ' (got an object)'
  const text = JSON.stringify(value)
  return ` (got ${text.length > 60 ? `${text.slice(0, 57)}...` : text})`
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1')
}

/** Document order: numeric segments compare as numbers, so /endpoints/10 comes after /endpoints/2. */
function sortByPointer(problems: readonly Problem[]): Problem[] {
  const compare = (a: string, b: string) => {
    const left = a.split('/')
    const right = b.split('/')
    for (let i = 0; i < Math.min(left.length, right.length); i++) {
      if (left[i] === right[i]) continue
      const [x, y] = [left[i]!, right[i]!]
      if (/^\d+$/.test(x) && /^\d+$/.test(y)) return Number(x) - Number(y)
      return x < y ? -1 : 1
    }
    return left.length - right.length
  }
  return [...problems].sort((a, b) => compare(a.pointer, b.pointer))
}

type JsonObject = Record<string, unknown>

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []
/** Whether a setting says something: a non-empty list, object or string, or `true`. */
function nonEmpty(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0
  if (isObject(value)) return Object.keys(value).length > 0
  return typeof value === 'string' ? value !== '' : value === true
}

const PLACEHOLDER = /\{([^{}]*)\}/g
const DEBUG_PATH = /\/__debug(\/.*)?$/
const ECHO_PATH = /\/__echo(\/.*)?$/
const SEQUENTIAL_PARAM = /^resp(\d+)_(.+)$/

/** KrakenD v2 keys renamed in v3: still in old files, silently ignored by KrakenD. */
const RENAMED: Readonly<Record<'endpoint' | 'backend', Readonly<Record<string, string>>>> = {
  endpoint: { headers_to_pass: 'input_headers', querystring_params: 'input_query_strings' },
  backend: { whitelist: 'allow', blacklist: 'deny' },
}

/**
 * The checks a JSON Schema cannot express. It walks whatever it is given and skips what has the
 * wrong shape (the schema reports that), so that one run reports both kinds of problems.
 */
class Semantics {
  readonly problems: Problem[] = []
  readonly warnings: string[] = []
  /** Keys already reported on their own (old names, unenforced settings): no unknown-key line too. */
  private readonly reported = new Set<string>()
  /** The names of the service's Redis connection pools, which `connection_pool` keys refer to. */
  private redisPools: ReadonlySet<string> = new Set()

  constructor(private readonly options: ValidationOptions) {}

  private problem(pointer: string, message: string) {
    this.problems.push({ pointer, message })
  }

  private warn(pointer: string, message: string) {
    this.warnings.push(`${pointer}: ${message}`)
  }

  /** A key that may be a typo: a warning, or a problem when linting. */
  private questionable(pointer: string, message: string) {
    if (this.options.lint) this.problem(pointer, message)
    else this.warn(pointer, message)
  }

  /** A setting that protects or shapes traffic, which rxgate would serve without: fail closed. */
  private unenforced(pointer: string, name: string, effect: string) {
    this.reported.add(pointer)
    const allowed = this.options.allowUnenforced === true
    const message = unenforcedMessage(name, effect, allowed)
    if (allowed) this.warn(pointer, message)
    else this.problem(pointer, message)
  }

  /** The unknown-key walk's findings, but for the keys reported already. */
  keys(findings: readonly KeyFinding[]) {
    for (const { pointer, kind, message } of findings) {
      if (this.reported.has(pointer)) continue
      if (kind === 'unknown') this.questionable(pointer, message)
      else this.warn(pointer, message)
    }
  }

  service(raw: unknown) {
    if (!isObject(raw)) return
    const hosts = strings(raw.host)
    hosts.forEach((host, k) => this.host(`/host/${k}`, host))
    if (typeof raw.listen_ip === 'string' && raw.listen_ip !== '' && isIP(raw.listen_ip) === 0) {
      this.problem('/listen_ip', `must be an IP address${got(raw.listen_ip)}`)
    }
    this.tls(raw.tls)
    this.redisPools = this.redis(isObject(raw.extra_config) ? raw.extra_config.redis : undefined)
    const extra = this.extraConfig('', raw.extra_config, 'service')
    const telemetry = extra.known.get('telemetry/opentelemetry')
    if (telemetry) {
      const at = `/extra_config/${escapePointer(telemetry.key)}`
      for (const { path, message } of telemetryFindings(telemetry.value)) this.problem(`${at}${path}`, message)
    }
    const router = extra.known.get('router')?.value
    if (isObject(router)) this.router(`/extra_config/${escapePointer(extra.known.get('router')!.key)}`, router)
    const healthEnabled = !(isObject(router) && router.disable_health === true)
    const healthPath = isObject(router) && typeof router.health_path === 'string' && router.health_path !== ''
      ? router.health_path
      : '/__health'
    if (!Array.isArray(raw.endpoints)) return
    const routes = new Map<string, number>()
    raw.endpoints.forEach((endpoint, i) => {
      if (!isObject(endpoint)) return
      this.endpoint(i, endpoint, {
        hasHost: hosts.length > 0,
        outputEncoding: raw.output_encoding,
        reserved: healthEnabled ? new Set(['/__health', healthPath]) : new Set(['/__health']),
        routes,
      })
    })
  }

  private endpoint(
    index: number,
    endpoint: JsonObject,
    service: { hasHost: boolean; outputEncoding: unknown; reserved: ReadonlySet<string>; routes: Map<string, number> },
  ) {
    const at = `/endpoints/${index}`
    this.renamed(at, endpoint, 'endpoint')
    let path = typeof endpoint.endpoint === 'string' ? endpoint.endpoint : undefined
    const params = new Set<string>()
    if (path !== undefined) {
      if (DEBUG_PATH.test(path)) this.problem(`${at}/endpoint`, `${JSON.stringify(path)} is reserved for the /__debug endpoint`)
      if (ECHO_PATH.test(path)) this.problem(`${at}/endpoint`, `${JSON.stringify(path)} is reserved for the /__echo endpoint`)
      if (service.reserved.has(path)) this.problem(`${at}/endpoint`, `${JSON.stringify(path)} is reserved for the health endpoint`)
    }
    // an unreadable path has no parameters to check the backends against
    if (path !== undefined && !this.balanced(`${at}/endpoint`, path)) path = undefined
    if (path !== undefined) {
      for (const [, name] of path.matchAll(PLACEHOLDER)) params.add(name!)
      const method = typeof endpoint.method === 'string' ? endpoint.method : 'GET'
      // `/users/{id}` and `/users/{user}` are one route for the router
      const route = `${method} ${path.replace(PLACEHOLDER, '{}')}`
      const first = service.routes.get(route)
      if (first === undefined) service.routes.set(route, index)
      else this.problem(at, `${method} ${path} is already defined at /endpoints/${first}`)
    }

    const extra = this.extraConfig(at, endpoint.extra_config, 'endpoint')
    this.auth(at, extra.known, 'endpoint')
    if (path !== undefined) this.rateLimitParam(at, extra.known, params)
    const jwt = extra.known.has('auth/validator')
    const proxy = extra.known.get('proxy')
    const proxyAt = proxy ? `${at}/extra_config/${escapePointer(proxy.key)}` : ''
    const proxyValue = isObject(proxy?.value) ? proxy.value : {}
    const sequential = proxyValue.sequential === true
    const backends = Array.isArray(endpoint.backend) ? endpoint.backend : []
    const outputEncoding = endpoint.output_encoding ?? service.outputEncoding ?? 'json'
    const noop = outputEncoding === 'no-op'

    if (noop && backends.length > 1) {
      this.problem(`${at}/backend`, `must hold exactly one backend when output_encoding is "no-op" (got ${backends.length})`)
    }
    if (nonEmpty(proxyValue.flatmap_filter) && backends.length < 2) {
      this.warn(
        `${proxyAt}/flatmap_filter`,
        'is ignored: an endpoint flatmap needs more than one backend (as in KrakenD); put it in the backend',
      )
    }
    if (noop && isObject(proxyValue.static)) {
      this.warn(`${proxyAt}/static`, 'is ignored: static data cannot be merged into a "no-op" response')
    }

    const groups = new Map<string, number>()
    backends.forEach((backend, j) => {
      if (!isObject(backend)) return
      const backendAt = `${at}/backend/${j}`
      if (typeof backend.group === 'string' && backend.group !== '') {
        const first = groups.get(backend.group)
        if (first === undefined) groups.set(backend.group, j)
        else {
          const message = `${JSON.stringify(backend.group)} is also the group of backend ${first}: the later answer overwrites the earlier`
          this.warn(`${backendAt}/group`, message)
        }
      }
      this.backend(backendAt, j, backend, { path, params, sequential, noop, hasHost: service.hasHost, jwt })
    })
  }

  private backend(
    at: string,
    index: number,
    backend: JsonObject,
    endpoint: { path?: string; params: ReadonlySet<string>; sequential: boolean; noop: boolean; hasHost: boolean; jwt: boolean },
  ) {
    this.renamed(at, backend, 'backend')
    if (typeof backend.url_pattern === 'string' && endpoint.path !== undefined && this.balanced(`${at}/url_pattern`, backend.url_pattern)) {
      for (const [placeholder, name] of backend.url_pattern.matchAll(PLACEHOLDER)) {
        const why = this.placeholder(name!, index, endpoint)
        if (why) this.problem(`${at}/url_pattern`, `${placeholder} ${why}`)
      }
    }

    const hosts = strings(backend.host)
    // a host that is not a list is the schema's to report
    if (hosts.length === 0 && !endpoint.hasHost && (backend.host === undefined || Array.isArray(backend.host))) {
      this.problem(`${at}/host`, 'is required: this backend has no host and the service has no default "host"')
    }
    if (backend.disable_host_sanitize !== true) hosts.forEach((host, k) => this.host(`${at}/host/${k}`, host))

    const extra = this.extraConfig(at, backend.extra_config, 'backend')
    this.auth(at, extra.known, 'backend')
    const proxy = extra.known.get('proxy')?.value
    const http = extra.known.get('backend/http')?.value
    const flatmap = isObject(proxy) && nonEmpty(proxy.flatmap_filter)
    const manipulations = ['allow', 'deny', 'mapping', 'group', 'target', 'is_collection'].filter((key) => nonEmpty(backend[key]))

    if (endpoint.noop && backend.encoding !== undefined && backend.encoding !== 'no-op') {
      this.warn(`${at}/encoding`, 'is ignored: the endpoint\'s output_encoding "no-op" passes the body through undecoded')
    }
    if (endpoint.noop || backend.encoding === 'no-op') {
      const ignored = flatmap ? [...manipulations, 'flatmap_filter'] : manipulations
      if (ignored.length > 0) this.warn(at, `${ignored.join(', ')} ignored: a "no-op" body is passed through untouched`)
    } else {
      if (backend.is_collection === true && backend.encoding === 'string') {
        this.warn(`${at}/is_collection`, 'is ignored with encoding "string" (the body is wrapped under "content")')
      }
      if (backend.is_collection === true && nonEmpty(backend.target)) {
        const why = 'a collection arrives as {"collection": [...]}, where no object can be targeted, so every answer is {}'
        this.warn(`${at}/target`, `empties the response: ${why}`)
      }
      if (nonEmpty(backend.allow) && nonEmpty(backend.deny)) {
        this.warn(`${at}/deny`, 'is ignored: allow and deny are both set, and allow wins (as in KrakenD)')
      }
      if (flatmap) {
        const lost = manipulations.filter((key) => key === 'allow' || key === 'deny' || key === 'mapping')
        if (lost.length > 0) this.warn(at, `${lost.join(', ')} ignored: flatmap_filter replaces them (as in KrakenD)`)
      }
    }
    if (isObject(backend.mapping)) this.mapping(`${at}/mapping`, backend.mapping)
    if (isObject(http) && http.return_error_code === true && nonEmpty(http.return_error_details)) {
      this.warn(`${at}/extra_config`, 'return_error_code is ignored: return_error_details is set too, and wins (as in KrakenD)')
    }
    const cache = extra.known.get('qos/http-cache')
    if (cache) this.httpCache(`${at}/extra_config/${escapePointer(cache.key)}`, cache.value, backend, endpoint.noop, extra.known.has('plugin/http-client'))
  }

  /** A `qos/http-cache` that can keep nothing: it keeps the GET answers rxgate's transport decodes. */
  private httpCache(at: string, block: unknown, backend: JsonObject, noop: boolean, client: boolean) {
    const method = typeof backend.method === 'string' ? backend.method.toUpperCase() : 'GET'
    if (noop || backend.encoding === 'no-op') this.warn(at, 'keeps nothing: a "no-op" body is streamed through, never kept')
    else if (client) this.warn(at, 'keeps nothing: plugin/http-client replaces the call whose answers it would keep')
    else if (method !== 'GET' && !(isObject(block) && block.shared === true)) {
      this.warn(at, `keeps nothing: only GET answers are kept (this backend's method is ${method}); with "shared", its successes remove what the others kept for its URL`)
    }
  }

  /** Why a `{name}` of a url_pattern has no value, or `undefined` when it has one. */
  private placeholder(name: string, index: number, endpoint: { path?: string; params: ReadonlySet<string>; sequential: boolean; jwt: boolean }) {
    if (endpoint.params.has(name)) return undefined
    const sequential = SEQUENTIAL_PARAM.exec(name)
    if (sequential) {
      const from = Number(sequential[1])
      if (!endpoint.sequential) return 'needs "sequential": true in the endpoint\'s extra_config "proxy"'
      if (from >= index) return `uses the response of backend ${from}, but this is backend ${index}: only earlier backends have answered`
      return undefined
    }
    if (name.startsWith('JWT.')) {
      if (name.length === 4) return 'names no claim: write {JWT.sub}, {JWT.realm_access.role}, ...'
      return endpoint.jwt ? undefined : "needs the endpoint's auth/validator: the claims come from the token it validates"
    }
    const known = [...endpoint.params].map((param) => `{${param}}`).join(', ')
    return `is not a parameter of the endpoint ${JSON.stringify(endpoint.path)} (${known === '' ? 'it has none' : `it has ${known}`})`
  }

  /** The rules of the authentication blocks a schema cannot express (auth-rules.ts). */
  private auth(at: string, known: ReadonlyMap<string, { readonly key: string; readonly value: unknown }>, scope: 'endpoint' | 'backend') {
    for (const [short, { key, value }] of known) {
      for (const { path, message, warning } of authFindings(short, scope, value)) {
        const pointer = `${at}/extra_config/${escapePointer(key)}${path}`
        if (warning) this.warn(pointer, message)
        else this.problem(pointer, message)
      }
    }
  }

  private host(at: string, host: string) {
    if (sanitizeHost(host) === undefined) {
      const hint = 'set "disable_host_sanitize": true to use it unchanged'
      this.problem(at, `must be a scheme, host and port like "http://users:8080"${got(host)}; ${hint}`)
    }
  }

  private balanced(at: string, text: string): boolean {
    if (text.replace(PLACEHOLDER, '').match(/[{}]/)) {
      this.problem(at, `has an unbalanced "{" or "}"${got(text)}`)
      return false
    }
    return true
  }

  /** Two fields renamed to one name would overwrite each other, in an order nobody chose. */
  private mapping(at: string, mapping: JsonObject) {
    const targets = new Map<string, string>()
    for (const [from, to] of Object.entries(mapping)) {
      if (typeof to !== 'string') continue
      const other = targets.get(to)
      if (other === undefined) targets.set(to, from)
      else this.problem(at, `${JSON.stringify(other)} and ${JSON.stringify(from)} are both renamed to ${JSON.stringify(to)}`)
    }
  }

  private extraConfig(at: string, extra: unknown, scope: Scope) {
    const scoped = readExtraConfig(extra, scope)
    for (const [short, keys] of scoped.duplicates) {
      const names = keys.map((key) => JSON.stringify(key)).join(' and ')
      this.problem(`${at}/extra_config`, `${names} are the same namespace (${short}); keep one`)
    }
    for (const key of scoped.ignored) {
      const short = shortName(key)
      if (failsClosed(short)) this.unenforced(`${at}/extra_config/${escapePointer(key)}`, short, unenforcedEffect(short))
    }
    for (const [short, { key, value }] of scoped.known) {
      if (short.startsWith('plugin/')) this.pluginBlock(`${at}/extra_config/${escapePointer(key)}`, value)
      this.poolReference(`${at}/extra_config/${escapePointer(key)}`, value)
    }
    for (const [short, { key, value }] of scoped.known) {
      for (const { path, message, warning } of checkMiddlewareOptions(short, value)) {
        const pointer = `${at}/extra_config/${escapePointer(key)}${path}`
        if (warning) this.warn(pointer, message)
        else this.problem(pointer, message)
      }
    }
    return scoped
  }

  /** A rate limit that tells clients apart by a route parameter names one of the endpoint's: else no request has a client, and each is refused. */
  private rateLimitParam(at: string, known: ReadonlyMap<string, { key: string; value: unknown }>, params: ReadonlySet<string>) {
    for (const namespace of ['qos/ratelimit/router', 'qos/ratelimit/router/redis']) {
      const entry = known.get(namespace)
      const block = entry?.value
      if (!isObject(block) || block.strategy !== 'param' || typeof block.key !== 'string' || block.key === '' || params.has(block.key)) continue
      const has = params.size === 0 ? 'the endpoint has none' : `the endpoint's are ${[...params].map((name) => JSON.stringify(name)).join(', ')}`
      this.problem(`${at}/extra_config/${escapePointer(entry!.key)}/key`, `names no route parameter (${has}): every request would be refused with 429`)
    }
  }

  /** The service's Redis connection pools: their names, each once. */
  private redis(block: unknown): ReadonlySet<string> {
    const names = new Map<string, number>()
    if (!isObject(block) || !Array.isArray(block.connection_pools)) return new Set()
    block.connection_pools.forEach((pool, i) => {
      if (!isObject(pool) || typeof pool.name !== 'string') return
      const first = names.get(pool.name)
      if (first === undefined) names.set(pool.name, i)
      else this.problem(`/extra_config/redis/connection_pools/${i}/name`, `${JSON.stringify(pool.name)} is also the name of pool ${first}: each pool needs its own`)
    })
    return new Set(names.keys())
  }

  /** A namespace that keeps its state in Redis names one of the service's pools (`connection_pool`, or KrakenD's older `connection_name`). */
  private poolReference(at: string, block: unknown) {
    if (!isObject(block)) return
    for (const key of ['connection_pool', 'connection_name']) {
      const name = block[key]
      if (typeof name !== 'string' || this.redisPools.has(name)) continue
      const declared = this.redisPools.size === 0 ? 'none is declared' : `the pools are ${[...this.redisPools].map((n) => JSON.stringify(n)).join(', ')}`
      this.problem(`${at}/${key}`, `names no Redis connection pool (${declared}): declare it in the service's extra_config "redis" "connection_pools"`)
    }
  }

  /**
   * A `plugin/*` block's keys besides `name` are the blocks of the plugins it names, each given to
   * its own plugin: a key that names none of them is read by nothing, most often a typo.
   */
  private pluginBlock(at: string, block: unknown) {
    if (!isObject(block)) return
    const names = typeof block.name === 'string' ? [block.name] : strings(block.name)
    for (const key of Object.keys(block)) {
      if (key === 'name' || /^[@$#]/.test(key) || names.includes(key)) continue
      const suggestion = didYouMean(key, [...names, 'name'])
      const listed = names.length === 0 ? 'it names none' : `it names ${names.map((name) => JSON.stringify(name)).join(', ')}`
      const hint = suggestion === undefined ? '' : `; did you mean ${JSON.stringify(suggestion)}?`
      this.questionable(`${at}/${escapePointer(key)}`, `is not the block of a plugin this namespace names (${listed}): no plugin reads it${hint}`)
    }
  }

  /** `tls`: its files (read, each certificate with its key), versions, suites and curves, as the server will load them. */
  private tls(block: unknown) {
    const settings = isObject(block) ? tlsSettings(block) : undefined
    if (!settings) return
    for (const { pointer, message, warning } of loadServerTls(settings).findings) {
      if (warning) this.warn(pointer, message)
      else this.problem(pointer, message)
    }
  }

  private router(at: string, router: JsonObject) {
    if (!Array.isArray(router.trusted_proxies)) return
    router.trusted_proxies.forEach((proxy: unknown, k) => {
      // anything but a string is the schema's to report
      if (typeof proxy === 'string' && !isIpOrRange(proxy)) {
        this.problem(`${at}/trusted_proxies/${k}`, `must be an IP address or a CIDR range like "10.0.0.0/8"${got(proxy)}`)
      }
    })
  }

  private renamed(at: string, object: JsonObject, scope: 'endpoint' | 'backend') {
    for (const [old, current] of Object.entries(RENAMED[scope])) {
      if (!(old in object)) continue
      this.reported.add(`${at}/${old}`)
      this.questionable(`${at}/${old}`, `is ignored: it is the old name of "${current}" (KrakenD v2 format)`)
    }
  }
}

/** `10.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8`: what Go's net.ParseIP or net.ParseCIDR reads. */
function isIpOrRange(text: string): boolean {
  const [address = '', prefix, ...rest] = text.split('/')
  const family = isIP(address)
  if (family === 0 || rest.length > 0) return false
  if (prefix === undefined) return true
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)
}
