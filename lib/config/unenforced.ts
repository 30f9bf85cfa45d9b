/**
 * Fail closed: settings that protect or shape traffic (authentication, security rules, rate limits,
 * validation, plugins) and that rxgate does not implement. Ignoring one would serve what the file
 * means to guard, so each is a problem unless the caller allows unenforced settings.
 */

/** The namespace families that fail closed, by the start of their (short) names. */
export const FAIL_CLOSED_FAMILIES = ['auth/', 'security/', 'qos/', 'validation/', 'plugin/'] as const

/** Whether a namespace (by its short name) fails closed when rxgate does not implement it. */
export function failsClosed(namespace: string): boolean {
  return FAIL_CLOSED_FAMILIES.some((family) => namespace.startsWith(family))
}

/** What each of KrakenD's namespaces in those families does, completing "it would ...". */
const EFFECTS: Readonly<Record<string, string>> = {
  'auth/validator': 'reject requests without a valid JWT with 401',
  'auth/signer': 'sign the tokens the backends return, as JWTs, before the client gets them',
  'auth/client-credentials': 'get an OAuth2 token (client credentials grant) and send it to this backend',
  'auth/api-keys': 'reject requests without a valid API key with 401',
  'auth/basic': 'reject requests without valid basic authentication credentials with 401',
  'auth/revoker': 'reject JWTs revoked through its bloom filter',
  'security/cors': 'answer CORS preflight requests and limit which origins, methods and headers browsers may use',
  'security/http': 'add security headers (HSTS, frame and content type options), restrict the allowed hosts and redirect to HTTPS',
  'security/bot-detector': 'reject requests from bots (matched by User-Agent) with 403',
  'security/policies': 'reject the requests and responses its policies refuse',
  'qos/ratelimit/router': 'limit the requests to the endpoint (503 past max_rate) and per client (429 past client_max_rate)',
  'qos/ratelimit/proxy': 'limit the requests sent to this backend, failing those past max_rate',
  'qos/ratelimit/service': 'limit the requests the whole gateway accepts, rejecting those past the limit',
  'qos/ratelimit/router/redis': 'limit the requests to the endpoint across the cluster, counted in Redis',
  'qos/ratelimit/redis': 'share the rate limit counters of the cluster through Redis',
  'qos/circuit-breaker': 'stop calling this backend after max_errors consecutive failures, until it recovers',
  'qos/http-cache': 'cache this backend\'s responses for as long as their Cache-Control allows',
  'validation/json-schema': 'reject request bodies that do not match its JSON Schema with 400',
  'validation/cel': 'reject the requests and responses for which its CEL expressions are false',
  'validation/response-json-schema': 'reject backend responses that do not match its JSON Schema',
  'plugin/http-server': 'run the HTTP server plugins it names around every request',
  'plugin/http-client': 'send this backend\'s requests through the HTTP client plugin it names',
  'plugin/req-resp-modifier': 'run the request and response modifier plugins it names',
  'plugin/request-modifier': 'run the request modifier plugins it names',
  'plugin/response-modifier': 'run the response modifier plugins it names',
  'plugin/middleware': 'run the middleware plugins it names',
}

/** For the namespaces of those families that the table above does not know. */
const FAMILY_EFFECTS: Readonly<Record<(typeof FAIL_CLOSED_FAMILIES)[number], string>> = {
  'auth/': 'authenticate or authorize requests, and refuse the others',
  'security/': 'apply security rules to requests',
  'qos/': 'limit, cache or cut traffic',
  'validation/': 'reject what fails its validation',
  'plugin/': 'run a plugin',
}

/** "it would ..." for a namespace of a fail-closed family, by its short name. */
export function unenforcedEffect(namespace: string): string {
  const family = FAIL_CLOSED_FAMILIES.find((prefix) => namespace.startsWith(prefix))
  return EFFECTS[namespace] ?? (family ? FAMILY_EFFECTS[family] : 'change how requests are served')
}

/** The line for one unenforced setting: a problem, or (when allowed) a warning. */
export function unenforcedMessage(name: string, effect: string, allowed: boolean): string {
  const what = `${name} is not enforced by rxgate: it would ${effect}`
  return allowed
    ? `${what}; served without it, as --allow-unenforced asks`
    : `${what}; remove it, or run with --allow-unenforced to serve without it`
}
