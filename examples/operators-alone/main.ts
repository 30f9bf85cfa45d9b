/**
 * rxgate's operators in a program with no HTTP at all: ask three price feeds at once, give each
 * 300 ms, keep two fields of each quote, and print one merged answer per tick, complete or not.
 *
 * Run: npm run build && node dist/examples/operators-alone/main.js
 */
import { interval, map, mergeMap, pipe, take, timer } from 'rxjs'
import { fanOut, group, merge, pick, timeoutEach } from '../../operators/index.js'

/** A simulated price feed: for each symbol, a quote after `latency` ms. */
function feed(exchange: string, latency: number) {
  return mergeMap((symbol: string) =>
    timer(latency).pipe(map(() => ({ symbol, exchange, price: +(100 + Math.random()).toFixed(2), volume: 1e6, raw: '...' }))),
  )
}

interval(1000)
  .pipe(
    take(3),
    map(() => 'ACME'),
    fanOut({
      london: pipe(feed('LSE', 50), pick(['price', 'exchange']), group('london')),
      frankfurt: pipe(feed('XETRA', 120), pick(['price', 'exchange']), group('frankfurt')),
      tokyo: pipe(feed('TSE', 900), pick(['price', 'exchange']), group('tokyo')), // too slow for the deadline
    }),
    timeoutEach('300ms'),
    merge(),
  )
  .subscribe((answer) => {
    const missing = answer.errors.map((failure) => failure.source).join(', ')
    process.stdout.write(`${JSON.stringify(answer.data)} complete=${answer.complete}${missing ? ` (late: ${missing})` : ''}\n`)
  })
