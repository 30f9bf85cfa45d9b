import { stringifyJson } from '../codec/json-encoder.js'
import type { GatewayRequest } from '../request.js'

const RESPONSE_PLACEHOLDER = /\{(resp(\d+)_([^{}]+))\}/g

/**
 * For KrakenD's sequential proxy: the request a backend of the chain gets, its params extended with
 * the `{resp<N>_<path>}` values its `url_pattern` names, read from the earlier responses. The
 * placeholders are found once, at start-up; values are strings, `null` written as Go writes it.
 */
export function sequenceParams(urlPatterns: readonly string[]) {
  const wanted = urlPatterns.flatMap((pattern) =>
    [...pattern.matchAll(RESPONSE_PLACEHOLDER)].map(([, name, index, path]) => ({ name: name!, index: Number(index), keys: path!.split('.') })),
  )
  return (request: GatewayRequest, previous: readonly unknown[]): GatewayRequest => {
    const params: Record<string, string> = { ...request.params }
    for (const { name, index, keys } of wanted) {
      if (index >= previous.length) continue
      const value = keys.reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), previous[index])
      if (value !== undefined) params[name] = value === null ? '<nil>' : typeof value === 'object' ? stringifyJson(value) : String(value)
    }
    return { ...request, params }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
