/**
 * The front page from DESIGN.md: one endpoint, four backends called in parallel, each trimmed to
 * the few fields the mobile front page shows, merged into one small document.
 */
import { pipe } from 'rxjs'
import { backend, gateway, type Gateway, type GatewayOptions } from '../../lib/index.js'
import { fanOut, group, merge, pick, rename, timeoutEach, wrap } from '../../operators/index.js'
import type { DemoBackends } from './backends.js'

export function frontpage(services: Omit<DemoBackends, 'close'>, options?: GatewayOptions): Gateway {
  const users = backend(`${services.users}/users/{id}`, { allow: ['name', 'email'] })
  const carts = backend(`${services.carts}/shopping-cart/{id}`, { allow: ['items.title', 'items.qty', 'total'] })
  const posts = backend(`${services.posts}/posts?userId={id}`, { allow: ['id', 'title'] })
  const notifications = backend(`${services.notifications}/notifications/{id}`, { allow: ['unread'] })

  return gateway(options).get(
    '/frontpage/{id}',
    pipe(
      // a record names each source by its key, in the logs too: a failure names "notifications"
      fanOut({
        users,
        carts: pipe(carts, group('cart')),
        posts: pipe(posts, wrap('posts')),
        notifications: pipe(notifications, rename({ unread: 'unread_notifications' })),
      }),
      timeoutEach('800ms'),
      merge(),
    ),
  )
}
