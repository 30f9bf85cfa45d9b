/**
 * What rxgate's own pipeline costs per request, without HTTP: `fanOut → timeoutEach → merge`
 * over three sources that answer on the next turn of the event loop (setImmediate), 50 requests
 * in flight, against the same three sources joined by hand (subscribed directly, their data
 * assigned into one object). CPU time (user + system) per request, median of 5 rounds of 100,000
 * requests after one warm-up round; the difference between the two lines is the pipeline's.
 *
 * Run: npm run build --silent && node dist/perf/pipeline-cost.js
 * (PIPELINE_REQUESTS=N changes the requests per round)
 */
import { Observable, of, pipe, type Subscription } from 'rxjs'
import { fanOut, merge, perRequest, timeoutEach, type Merged } from '../operators/index.js'

const REQUESTS = Number(process.env.PIPELINE_REQUESTS ?? 100_000)
const IN_FLIGHT = 50
const ROUNDS = 5
const DATA = [{ a: 1 }, { b: 2 }, { c: 3 }] as const

/** A source's call: its data on the next turn, cancelled with its subscription. */
function nextTurn(data: object): Observable<object> {
  return new Observable((subscriber) => {
    const handle = setImmediate(() => {
      subscriber.next(data)
      subscriber.complete()
    })
    return () => clearImmediate(handle)
  })
}

const pipeline = pipe(fanOut({ a: perRequest(() => nextTurn(DATA[0])), b: perRequest(() => nextTurn(DATA[1])), c: perRequest(() => nextTurn(DATA[2])) }), timeoutEach('3s'), merge())

/** The same three calls joined by hand: the floor under the pipeline. */
function byHand(): Observable<Merged> {
  return new Observable((subscriber) => {
    const data: Record<string, unknown> = {}
    const calls: Subscription[] = []
    let running = DATA.length
    for (const part of DATA) {
      calls.push(
        nextTurn(part).subscribe({
          next: (value) => Object.assign(data, value),
          complete: () => {
            if (--running > 0) return
            subscriber.next({ data, complete: true, delivered: DATA.length, errors: [] } as unknown as Merged)
            subscriber.complete()
          },
        }),
      )
    }
    return () => calls.forEach((call) => call.unsubscribe())
  })
}

function round(run: () => Observable<unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    let started = 0
    let finished = 0
    const one = (): void => {
      started++
      run().subscribe({
        next: (answer) => {
          if (!(answer as Merged).complete) reject(new Error('an incomplete answer'))
        },
        error: reject,
        complete: () => {
          if (++finished === REQUESTS) resolve()
          else if (started < REQUESTS) one()
        },
      })
    }
    for (let index = 0; index < IN_FLIGHT; index++) one()
  })
}

async function cpuPerRequest(run: () => Observable<unknown>): Promise<number[]> {
  await round(run)
  const rounds: number[] = []
  for (let index = 0; index < ROUNDS; index++) {
    const before = process.cpuUsage()
    await round(run)
    const used = process.cpuUsage(before)
    rounds.push((used.user + used.system) / REQUESTS)
  }
  return rounds.sort((a, b) => a - b)
}

const median = (sorted: number[]) => sorted[Math.floor(sorted.length / 2)]!
const floor = await cpuPerRequest(byHand)
const rxgate = await cpuPerRequest(() => pipeline(of({})))
const show = (name: string, rounds: number[]) => `${name.padEnd(36)} ${median(rounds).toFixed(2)} us/request (rounds ${rounds.map((x) => x.toFixed(2)).join(' ')})`
console.log(show('three calls joined by hand', floor))
console.log(show('fanOut → timeoutEach → merge', rxgate))
console.log(`the pipeline's own cost: ${(median(rxgate) - median(floor)).toFixed(2)} us/request`)
