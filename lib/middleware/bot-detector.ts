import { LRUCache } from 'lru-cache'
import { mergeMap, of, throwError } from 'rxjs'
import { ErrorCodes, RxgateError } from '../errors.js'
import type { Logger } from '../logger.js'
import type { Headers } from '../request.js'
import { errorReply, writeReply } from '../router/reply.js'
import { compileAnyOf, goRegexpError } from './go-regexp.js'
import type { EndpointMiddleware, MiddlewareDefinition, ServerMiddleware } from './types.js'

/** KrakenD's `security/bot-detector` block, as the file writes it. */
export interface BotDetectorOptions {
  /** User agents let through, written exactly (not patterns); checked first. */
  readonly allow?: readonly string[]
  /** User agents refused, written exactly; checked after `allow`. */
  readonly deny?: readonly string[]
  /** Regular expressions (Go's syntax, RE2) a bot's User-Agent matches anywhere; checked last. */
  readonly patterns?: readonly string[]
  /** How many user agents' decisions an LRU cache keeps; 0 or absent, none. */
  readonly cache_size?: number
  /** Refuse requests without a User-Agent (or with an empty one). Default false. */
  readonly empty_user_agent_is_bot?: boolean
}

/** Whether a User-Agent (`''` for none) is a bot's. */
export type BotDecision = (userAgent: string) => boolean

/**
 * User agents longer than this are decided every time and never cached: a cache of `cache_size`
 * entries then holds at most `cache_size` KiB of keys, whatever clients send.
 */
export const MAX_CACHED_USER_AGENT = 1024

/** The largest `cache_size`: the LRU allocates its slots at start-up (about 24 bytes each, keys aside). */
export const MAX_CACHE_SIZE = 1_000_000

const REJECTED = new RxgateError(ErrorCodes.FORBIDDEN, 'bot rejected: the User-Agent is refused by the bot detector')

/**
 * Compiles a bot detector, once, as KrakenD's `krakend-botdetector`: an empty User-Agent is a bot
 * only with `empty_user_agent_is_bot`; then `allow` (exact: not a bot), `deny` (exact: a bot),
 * and `patterns` (any match: a bot), in that order; anything else is not a bot. With `cache_size`,
 * each user agent is decided once and its decision kept in an LRU cache of that many entries
 * (user agents over 1 KiB are decided every time). The patterns are RE2's: linear in the
 * User-Agent, so no pattern can make a request hold the event loop.
 *
 * @example
 * const isBot = compileBotDetector({ deny: ['facebookexternalhit/1.1'], patterns: ['(?i)bot'], cache_size: 1000 })
 * isBot('Googlebot/2.1')                      // true
 * isBot('Mozilla/5.0 (X11; Linux x86_64)')    // false
 */
export function compileBotDetector(options: BotDetectorOptions = {}, logger?: Logger): BotDecision {
  const problem = botDetectorProblems(options)[0]
  if (problem) throw new RxgateError(ErrorCodes.BAD_ARGUMENT, `security/bot-detector: ${optionName(problem.path)} ${problem.message}`)
  const size = options.cache_size ?? 0
  if (!Number.isInteger(size) || size < 0 || size > MAX_CACHE_SIZE) {
    throw new RxgateError(ErrorCodes.BAD_ARGUMENT, `security/bot-detector: cache_size must be a whole number from 0 to ${MAX_CACHE_SIZE} (got ${String(size)})`)
  }
  const allow = new Set(options.allow ?? [])
  const deny = new Set(options.deny ?? [])
  const patterns = compileAnyOf(options.patterns ?? [])
  const emptyIsBot = options.empty_user_agent_is_bot === true
  // read once: a disabled level costs nothing per request
  const trace = logger?.isLevelEnabled('debug') ? logger : undefined
  const decide: BotDecision = (userAgent) => {
    const bot = userAgent === '' ? emptyIsBot : !allow.has(userAgent) && (deny.has(userAgent) || patterns.test(userAgent))
    trace?.debug({ userAgent: userAgent.slice(0, 256), bot }, 'bot detector: user agent decided')
    return bot
  }
  if (size === 0) return decide
  const cache = new LRUCache<string, boolean>({ max: size })
  return (userAgent) => {
    if (userAgent.length > MAX_CACHED_USER_AGENT) return decide(userAgent)
    const cached = cache.get(userAgent)
    if (cached !== undefined) return cached
    const bot = decide(userAgent)
    cache.set(userAgent, bot)
    return bot
  }
}

/**
 * The bot detector around every request, before routing (KrakenD's service-level
 * `security/bot-detector`): a bot gets a 403, `RXGATE_ERR_FORBIDDEN`, whatever it asked for.
 *
 * @example
 * gw.use(botDetector({ patterns: ['(?i)(bot|crawler|spider)'], cache_size: 10000 }))
 */
export function botDetector(options: BotDetectorOptions = {}, logger?: Logger): ServerMiddleware {
  const isBot = compileBotDetector(options, logger)
  return (next) => (req, res) => {
    if (isBot(userAgentText(req.headers['user-agent']))) writeReply(res, errorReply(REJECTED))
    else next(req, res)
  }
}

/**
 * The bot detector around one endpoint's pipeline (KrakenD's endpoint-level
 * `security/bot-detector`): a bot's request fails with a 403 before any backend is called.
 *
 * @example
 * gw.get('/prices', endpointBotDetector({ deny: ['curl/8.4.0'] })(pipe(fanOut([prices]), merge())))
 */
export function endpointBotDetector(options: BotDetectorOptions = {}, logger?: Logger): EndpointMiddleware {
  const isBot = compileBotDetector(options, logger)
  return (pipeline) => (request$) =>
    request$.pipe(mergeMap((request) => (isBot(userAgentOf(request.headers)) ? throwError(() => REJECTED) : pipeline(of(request)))))
}

function userAgentOf(headers: Headers): string {
  const value = headers['user-agent']
  return userAgentText(Array.isArray(value) ? value[0] : value)
}

const NON_ASCII = /[^\x00-\x7f]/

/**
 * The User-Agent as text: node:http reads header bytes as Latin-1, where Go (and the file's
 * `allow`, `deny` and `patterns`) read UTF-8; a User-Agent with bytes past ASCII is read again as UTF-8.
 */
function userAgentText(value: string | undefined): string {
  if (value === undefined) return ''
  return NON_ASCII.test(value) ? Buffer.from(value, 'latin1').toString('utf8') : value
}

/** `/patterns/3` as a reader names it: `patterns[3]`. */
function optionName(path: string): string {
  return path.slice(1).replace(/\/(\d+)/g, '[$1]')
}

/** What is wrong with a bot detector block that a JSON Schema cannot say: each pattern RE2 refuses, with its path. */
export function botDetectorProblems(options: BotDetectorOptions): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = []
  ;(Array.isArray(options.patterns) ? options.patterns : []).forEach((pattern, index) => {
    if (typeof pattern !== 'string') return
    const reason = goRegexpError(pattern)
    if (reason !== undefined) problems.push({ path: `/patterns/${index}`, message: `is not a valid regular expression (Go's RE2 syntax): ${reason}` })
  })
  return problems
}

/** `security/bot-detector`, at the service (every request) and on endpoints. */
export const botDetectorDefinition: MiddlewareDefinition = {
  namespace: 'security/bot-detector',
  server: (options: BotDetectorOptions, { logger }) => botDetector(options, logger),
  endpoint: (options: BotDetectorOptions, { logger }) => endpointBotDetector(options, logger),
}
