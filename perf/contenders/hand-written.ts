/**
 * Contender: what a competent developer writes by hand for the same endpoint, with no framework.
 * node:http, one keep-alive undici Pool per backend, the three calls in parallel (Promise.all),
 * JSON.parse, the fields picked by hand, group and wrap by hand, JSON.stringify; each backend told
 * of the client as rxgate tells it (perf/forwarded.ts). A backend that fails or misses its 800 ms
 * deadline is left out, as rxgate does, so the two do the same job.
 * Started by the bench with BENCH_URLS (the services' base URLs, JSON); reports its port.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { Pool } from 'undici'
import { reportFailure, serveContender } from '../child.js'
import type { ServiceName } from '../fixtures.js'
import { forwardedHeaders } from '../forwarded.js'

type Json = Record<string, unknown>
interface User { id: unknown; name: unknown; email: unknown; address?: { city?: unknown } }
interface CartItem { sku: unknown; title: unknown; qty: unknown; price: unknown }
interface Cart { items?: CartItem[]; total: unknown; currency: unknown }
interface Post { id: unknown; title: unknown; created_at: unknown }

const PREFIX = '/frontpage/'

try {
  const urls = JSON.parse(process.env.BENCH_URLS ?? '') as Record<ServiceName, string>
  // The deadline of each call: undici's own timers, no per-request timer to create.
  const options = { headersTimeout: 800, bodyTimeout: 800, keepAliveTimeout: 60_000 }
  const pools = { users: new Pool(urls.users, options), carts: new Pool(urls.carts, options), posts: new Pool(urls.posts, options) }

  async function get(pool: Pool, path: string, headers: Record<string, string>): Promise<unknown> {
    const { statusCode, body } = await pool.request({ method: 'GET', path, headers })
    const text = await body.text()
    if (statusCode !== 200) throw new Error(`backend answered ${statusCode}`)
    return JSON.parse(text)
  }

  const skip = () => undefined

  async function frontpage(id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers = forwardedHeaders(req)
    const param = encodeURIComponent(id)
    const [user, cart, posts] = await Promise.all([
      get(pools.users, `/users/${param}`, headers).catch(skip) as Promise<User | undefined>,
      get(pools.carts, `/shopping-cart/${param}`, headers).catch(skip) as Promise<Cart | undefined>,
      get(pools.posts, `/posts?userId=${param}`, headers).catch(skip) as Promise<Post[] | undefined>,
    ])
    const out: Json = {}
    let delivered = 0
    if (user) {
      out.id = user.id
      out.name = user.name
      out.email = user.email
      if (user.address) out.address = { city: user.address.city }
      delivered++
    }
    if (cart) {
      out.cart = {
        items: cart.items?.map((item) => ({ sku: item.sku, title: item.title, qty: item.qty, price: item.price })),
        total: cart.total,
        currency: cart.currency,
      }
      delivered++
    }
    if (posts) {
      out.posts = posts.map((post) => ({ id: post.id, title: post.title, created_at: post.created_at }))
      delivered++
    }
    if (delivered === 0) {
      res.writeHead(502).end()
      return
    }
    const body = JSON.stringify(out)
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) }).end(body)
  }

  const server = createServer((req, res) => {
    const url = req.url ?? '/'
    if (req.method !== 'GET' || !url.startsWith(PREFIX) || url.indexOf('/', PREFIX.length) !== -1) {
      res.writeHead(404).end()
      return
    }
    let id: string
    try {
      id = decodeURIComponent(url.slice(PREFIX.length))
    } catch {
      res.writeHead(400).end()
      return
    }
    frontpage(id, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end()
    })
  })
  await serveContender(server, () => Promise.all(Object.values(pools).map((pool) => pool.close())))
} catch (error) {
  reportFailure(error)
}
