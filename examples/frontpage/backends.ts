/**
 * The front page's demo backends, served on loopback: four services that each answer with far
 * more than the front page needs, as real microservices do. Notifications are slow for user 2, so
 * that `/frontpage/2` shows a partial answer.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface DemoBackends {
  /** Base URL of each service, e.g. `http://127.0.0.1:41234`. */
  readonly users: string
  readonly carts: string
  readonly posts: string
  readonly notifications: string
  close(): Promise<void>
}

type Handler = (id: number, url: URL) => unknown

const user: Handler = (id) => ({
  id,
  name: id === 1 ? 'Ada Lovelace' : `User ${id}`,
  username: `user${id}`,
  email: id === 1 ? 'ada@example.com' : `user${id}@example.com`,
  phone: '+44 20 7946 0000',
  website: 'example.com',
  address: { street: '12 St James Square', city: 'London', zipcode: 'SW1Y 4JH', geo: { lat: 51.5074, lng: -0.1344 } },
  company: { name: 'Analytical Engines Ltd', catchPhrase: 'Poetical science', bs: 'compute numbers' },
  preferences: { theme: 'dark', language: 'en-GB', newsletter: false },
  created_at: '2015-12-10T09:00:00Z',
})

const cart: Handler = (id) => ({
  id: 1000 + id,
  user_id: id,
  items: [
    { sku: 'BK-1843', title: 'Sketch of the Analytical Engine', qty: 1, price: 24.5, image: '/img/bk-1843.jpg', warehouse: 'LHR-2' },
    { sku: 'PN-0042', title: 'Fountain pen', qty: 2, price: 9.75, image: '/img/pn-0042.jpg', warehouse: 'LHR-1' },
  ],
  total: 44,
  currency: 'GBP',
  coupon: null,
  updated_at: '2026-11-25T18:32:00Z',
})

const posts: Handler = (id) =>
  [1, 2, 3].map((n) => ({
    id: id * 100 + n,
    userId: id,
    title: ['Notes on the engine', 'On Bernoulli numbers', 'Poetical science'][n - 1],
    body: 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(8),
    tags: ['maths', 'engines'],
    created_at: `2026-11-2${n}T10:00:00Z`,
  }))

const notifications: Handler = (id) => ({
  user_id: id,
  unread: 3,
  items: [
    { id: 1, kind: 'order', text: 'Your order has shipped', read: false },
    { id: 2, kind: 'social', text: 'Charles liked your post', read: false },
    { id: 3, kind: 'social', text: 'New follower', read: false },
  ],
})

/** Starts the four services on loopback: on the given ports, or on free ones. */
export async function startDemoBackends(ports: readonly [number, number, number, number] = [0, 0, 0, 0]): Promise<DemoBackends> {
  const [users, carts, feed, alerts] = await Promise.all([
    serve(ports[0], /^\/users\/(\d+)$/, user),
    serve(ports[1], /^\/shopping-cart\/(\d+)$/, cart),
    serve(ports[2], /^\/posts$/, (_, url) => posts(Number(url.searchParams.get('userId') ?? 0), url)),
    serve(ports[3], /^\/notifications\/(\d+)$/, notifications, (id) => (id === 2 ? 1500 : 0)),
  ])
  const all = [users, carts, feed, alerts]
  return {
    users: users.url,
    carts: carts.url,
    posts: feed.url,
    notifications: alerts.url,
    close: async () => {
      await Promise.all(all.map((service) => service.close()))
    },
  }
}

async function serve(port: number, route: RegExp, handler: Handler, delay: (id: number) => number = () => 0) {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const match = route.exec(url.pathname)
    if (!match) {
      res.writeHead(404).end()
      return
    }
    const id = Number(match[1] ?? 0)
    const timer = setTimeout(() => {
      const body = JSON.stringify(handler(id, url))
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body)
    }, delay(id))
    res.once('close', () => clearTimeout(timer))
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
