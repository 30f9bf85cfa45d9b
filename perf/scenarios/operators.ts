/**
 * Scenario "operators": ns per value of rxgate's operators on the aggregation's documents, run in
 * this process. Each operator is built once (as a pipeline compiles it at start-up); one op is
 * `of(doc).pipe(operator).subscribe(...)`, timed in batches of about 100 ms after a warm-up, and
 * the median of the batches reported. The identity row is the floor every row includes.
 */
import { map, of, pipe, type OperatorFunction } from 'rxjs'
import { fanOut, flatmap, group, merge, pick, rename, wrap } from '../../operators/index.js'
import { aggregation, fixtures } from '../fixtures.js'
import { machine, median } from '../report.js'
import type { Scenario } from '../scenario.js'
import { fmt } from '../table.js'

const BATCH_NS = 100e6
const BATCHES = 9

interface Case {
  readonly name: string
  /** What the row measures, for the table. */
  readonly what: string
  readonly input: unknown
  readonly operator: OperatorFunction<unknown, unknown>
}

const user = JSON.parse(fixtures.users.body) as unknown
const cart = JSON.parse(fixtures.carts.body) as unknown
const posts = JSON.parse(fixtures.posts.body) as unknown

function cases(): Case[] {
  return [
    { name: 'of() + identity', what: 'map((v) => v): the floor every row includes', input: user, operator: map((v) => v) },
    { name: 'pick', what: `cart (${kb(fixtures.carts.body)}), allow ${aggregation.carts.allow.length} paths through 12 items`, input: cart, operator: pick([...aggregation.carts.allow]) },
    { name: 'pick', what: `user (${kb(fixtures.users.body)}), allow ${aggregation.users.allow.length} paths`, input: user, operator: pick([...aggregation.users.allow]) },
    {
      name: 'fanOut + merge',
      what: '3 sources of() (user, grouped cart, wrapped posts), merged',
      input: 1,
      operator: pipe(
        fanOut<unknown>([map(() => user), pipe(map(() => cart), group('cart')), pipe(map(() => posts), wrap('posts'))]),
        merge(),
      ) as OperatorFunction<unknown, unknown>,
    },
    { name: 'group', what: `cart under "cart"`, input: cart, operator: group('cart') as OperatorFunction<unknown, unknown> },
    { name: 'rename', what: 'user, 3 keys (email, name, address)', input: user, operator: rename({ email: 'mail', name: 'full_name', address: 'location' }) },
    {
      name: 'flatmap',
      what: 'posts as {collection}: move to posts, del posts.*.body and posts.*.tags',
      input: { collection: posts },
      operator: flatmap([
        { type: 'move', args: ['collection', 'posts'] },
        { type: 'del', args: ['posts.*.body'] },
        { type: 'del', args: ['posts.*.tags'] },
      ]),
    },
  ]
}

function kb(body: string): string {
  return `${(Buffer.byteLength(body) / 1024).toFixed(1)} KB`
}

/** Runs `n` ops; throws if one did not deliver synchronously (a timing would then mean nothing). */
function batch(c: Case, n: number): number {
  let delivered = 0
  const sink = { next: () => void delivered++ }
  const started = process.hrtime.bigint()
  for (let i = 0; i < n; i++) of(c.input).pipe(c.operator).subscribe(sink)
  const ns = Number(process.hrtime.bigint() - started)
  if (delivered !== n) throw new Error(`${c.name}: ${delivered} of ${n} values delivered synchronously`)
  return ns
}

function measure(c: Case): { nsPerOp: number; spread: number } {
  // Calibrate (and warm up): grow the batch until it takes a tenth of the target.
  let n = 100
  while (batch(c, n) < BATCH_NS / 10) n *= 2
  const size = Math.max(1, Math.round(n * 10 * (BATCH_NS / 10 / batch(c, n))))
  batch(c, size)
  const runs = Array.from({ length: BATCHES }, () => batch(c, size) / size)
  return { nsPerOp: median(runs), spread: (Math.max(...runs) - Math.min(...runs)) / median(runs) }
}

export const operators: Scenario = async (context) => {
  console.log(`\n# operators: ns per value, ${BATCHES} batches of about ${BATCH_NS / 1e6} ms each after a warm-up, median`)
  const rows: string[] = []
  for (const c of cases()) {
    const { nsPerOp, spread } = measure(c)
    console.log(`${c.name.padEnd(17)} ${fmt(nsPerOp, 0).padStart(8)} ns/op   (spread ${fmt(spread * 100, 0)}%)   ${c.what}`)
    rows.push(`| ${c.name} | ${c.what} | ${fmt(nsPerOp, 0)} | ${fmt(spread * 100, 0)}% |`)
  }
  const table = ['| operator | on | ns/op (median) | spread (max-min)/median |', '|---|---|---:|---:|', ...rows].join('\n')
  console.log(`\n${table}`)
  return `## Operators alone: ns per value

In the bench's own process (Node ${process.version}), on the aggregation's fixtures. Each operator is
built once, as a pipeline compiles it at start-up; one op is \`of(doc).pipe(operator).subscribe()\`,
so every row includes the \`of() + subscribe\` floor of the first row. ${BATCHES} batches of about
${BATCH_NS / 1e6} ms each after a warm-up; the median batch's time per op is reported.

- date: ${context.date.toISOString()}
- machine: ${machine()}
- command: \`${context.command}\`

${table}`
}
