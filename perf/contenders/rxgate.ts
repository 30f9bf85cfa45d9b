/**
 * Contender: rxgate, the aggregation written as the README writes it. Three backends with
 * allow-lists, the cart grouped, the posts' root array wrapped, fanOut → timeoutEach → merge.
 * Started by the bench with BENCH_URLS (the services' base URLs, JSON); reports its port.
 */
import { pipe } from 'rxjs'
import { backend, gateway } from '../../lib/index.js'
import { fanOut, group, merge, timeoutEach, wrap } from '../../operators/index.js'
import { exitWithParent, reportFailure, reportReady } from '../child.js'
import { aggregation, fixtures, ROUTE, type ServiceName } from '../fixtures.js'

try {
  const urls = JSON.parse(process.env.BENCH_URLS ?? '') as Record<ServiceName, string>
  const users = backend(urls.users + fixtures.users.template, { allow: [...aggregation.users.allow] })
  const carts = backend(urls.carts + fixtures.carts.template, { allow: [...aggregation.carts.allow] })
  const posts = backend(urls.posts + fixtures.posts.template, { allow: [...aggregation.posts.allow] })

  // No access log: a log line per request is not what this scenario measures.
  const gw = gateway({ accessLog: false, logger: { level: 'silent' } }).get(
    ROUTE,
    pipe(fanOut([users, pipe(carts, group(aggregation.carts.group)), pipe(posts, wrap(aggregation.posts.wrap))]), timeoutEach('800ms'), merge()),
  )
  const address = await gw.listen(0, '127.0.0.1')
  exitWithParent(() => gw.close())
  reportReady(address.port)
} catch (error) {
  reportFailure(error)
}
