/**
 * The three backend bodies of the aggregation scenario, and the aggregation itself (which fields
 * each contender keeps), shared by every process so that all of them agree on one document.
 * Deterministic: no clock, no randomness, so a run can be compared with the next.
 */

/** A service: the path the contenders call and the JSON body it answers with. */
export interface Fixture {
  /** Path pattern as rxgate writes it (`{id}` filled from the route). */
  readonly template: string
  readonly body: string
}

const LOREM =
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore ' +
  'et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip.'

// A user profile as a user service returns it: far more than a front page shows.
function user(id: number) {
  return {
    id,
    name: 'Ada Lovelace',
    username: 'ada',
    email: 'ada@example.com',
    phone: '+44 20 7946 0000',
    website: 'https://example.com/ada',
    avatar: { small: '/img/u/1/48.png', medium: '/img/u/1/96.png', large: '/img/u/1/256.png' },
    address: {
      street: '12 St James Square',
      suite: 'Apt. 3',
      city: 'London',
      zipcode: 'SW1Y 4JH',
      country: 'GB',
      geo: { lat: 51.5074, lng: -0.1344 },
    },
    company: { name: 'Analytical Engines Ltd', catchPhrase: 'Poetical science', bs: 'compute Bernoulli numbers' },
    preferences: { theme: 'dark', language: 'en-GB', timezone: 'Europe/London', newsletter: false, notifications: { email: true, sms: false, push: true } },
    roles: ['customer', 'author', 'beta-tester'],
    bio: `${LOREM} ${LOREM} ${LOREM}`,
    social: [
      { network: 'mastodon', handle: '@ada@example.social', followers: 1843 },
      { network: 'github', handle: 'ada-lovelace', followers: 5120 },
      { network: 'website', handle: 'example.com/ada', followers: 0 },
    ],
    addresses: Array.from({ length: 4 }, (_, n) => ({
      label: ['home', 'work', 'parents', 'holiday'][n],
      street: `${10 + n} Marylebone Road`,
      city: 'London',
      zipcode: `NW1 ${n}AA`,
      country: 'GB',
      default: n === 0,
    })),
    loyalty: { tier: 'gold', points: 12840, since: '2016-03-01', history: Array.from({ length: 6 }, (_, n) => ({ month: `2026-0${n + 1}`, earned: 200 + n * 37, spent: n * 11 })) },
    created_at: '2015-12-10T09:00:00Z',
    updated_at: '2026-11-25T18:32:00Z',
  }
}

// A shopping cart with a dozen line items, each carrying warehouse and catalogue noise.
function cart(id: number) {
  const items = Array.from({ length: 12 }, (_, n) => ({
    sku: `SKU-${String(1000 + n * 7)}`,
    title: `Catalogue item number ${n + 1}`,
    qty: 1 + (n % 3),
    price: Math.round((4.99 + n * 3.25) * 100) / 100,
    currency: 'GBP',
    image: `/img/sku/${1000 + n * 7}/large.jpg`,
    thumbnail: `/img/sku/${1000 + n * 7}/thumb.jpg`,
    warehouse: n % 2 === 0 ? 'LHR-1' : 'LHR-2',
    weight_grams: 120 + n * 45,
    attributes: { colour: ['black', 'blue', 'red'][n % 3], size: ['S', 'M', 'L'][n % 3], gift: n % 4 === 0 },
  }))
  const total = Math.round(items.reduce((sum, item) => sum + item.price * item.qty, 0) * 100) / 100
  return {
    id: 5000 + id,
    user_id: id,
    items,
    total,
    currency: 'GBP',
    coupon: null,
    shipping: { method: 'standard', price: 3.99, address: { street: '12 St James Square', city: 'London', zipcode: 'SW1Y 4JH' } },
    tax: { rate: 0.2, amount: Math.round(total * 0.2 * 100) / 100 },
    created_at: '2026-11-24T08:00:00Z',
    updated_at: '2026-11-25T18:32:00Z',
  }
}

// A root array, as a posts service returns it: it must be wrapped before it can be merged.
function posts(id: number) {
  return Array.from({ length: 10 }, (_, n) => ({
    id: id * 100 + n + 1,
    userId: id,
    title: `Notes on the engine, part ${n + 1}`,
    body: `${LOREM} ${LOREM}`,
    tags: ['maths', 'engines', n % 2 === 0 ? 'history' : 'poetry'],
    likes: 10 * n + 3,
    created_at: `2026-11-${String(10 + n)}T10:00:00Z`,
  }))
}

/** The user id every request asks for. */
export const USER_ID = 1

/** The three services; every contender calls all three with `{id}` = {@link USER_ID}. */
export const fixtures = {
  users: { template: '/users/{id}', body: JSON.stringify(user(USER_ID)) },
  carts: { template: '/shopping-cart/{id}', body: JSON.stringify(cart(USER_ID)) },
  posts: { template: '/posts?userId={id}', body: JSON.stringify(posts(USER_ID)) },
} as const satisfies Record<string, Fixture>

export type ServiceName = keyof typeof fixtures
export const SERVICES = Object.keys(fixtures) as ServiceName[]

/**
 * The aggregation, as data both contenders are written from: which fields each backend keeps
 * (dot paths walk through arrays), and the key its value goes under.
 */
export const aggregation = {
  users: { allow: ['id', 'name', 'email', 'address.city'] },
  carts: { allow: ['items.sku', 'items.title', 'items.qty', 'items.price', 'total', 'currency'], group: 'cart' },
  posts: { allow: ['id', 'title', 'created_at'], wrap: 'posts' },
} as const

/** The endpoint both contenders serve, and the URL path wrk requests. */
export const ROUTE = '/frontpage/{id}'
export const REQUEST_PATH = `/frontpage/${USER_ID}`

/**
 * A KrakenD file's endpoints for the bench's two jobs: the proxy of one backend (`/users/{id}`)
 * and the aggregation at {@link ROUTE}, its backends shaped as {@link aggregation} says.
 */
export function benchEndpoints(urls: Readonly<Record<ServiceName, string>>): object[] {
  const users = { host: [urls.users], url_pattern: fixtures.users.template }
  return [
    { endpoint: '/users/{id}', backend: [users] },
    {
      endpoint: ROUTE,
      backend: [
        { ...users, allow: aggregation.users.allow },
        { host: [urls.carts], url_pattern: fixtures.carts.template, allow: aggregation.carts.allow, group: aggregation.carts.group },
        { host: [urls.posts], url_pattern: fixtures.posts.template, allow: aggregation.posts.allow, is_collection: true, mapping: { collection: aggregation.posts.wrap } },
      ],
    },
  ]
}

/** An API-like page of records (nested objects and arrays), about `bytes` long, as JSON: the decoding benchmarks' body. */
export function apiPage(bytes: number): Buffer {
  const items: unknown[] = []
  let size = 40
  for (let i = 0; size < bytes; i++) {
    const item = {
      id: i,
      name: `user ${i}`,
      email: `user${i}@example.com`,
      active: i % 3 === 0,
      score: i * 1.25,
      tags: ['alpha', 'beta', String(i % 7)],
      address: { street: `${i} Main St`, city: 'Springfield', zip: String(10000 + (i % 9000)) },
    }
    size += JSON.stringify(item).length + 1
    items.push(item)
  }
  return Buffer.from(JSON.stringify({ total: items.length, page: 1, items }))
}
