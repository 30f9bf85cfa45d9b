import t from 'tap'
import { Observable, map, type OperatorFunction } from 'rxjs'
import { fanOut } from '../../operators/fan-out.js'
import { merge } from '../../operators/merge.js'
import { callSource, perRequest } from '../../operators/per-request.js'
import { marbles } from './fixtures/marbles.js'

t.test('as an operator: each request mapped to its call, calls merged, as mergeMap does', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const call = (request: string) => cold('--x|', { x: `${request}!` })
    expectObservable(cold('ab|').pipe(perRequest(call))).toBe('--xy|', { x: 'a!', y: 'b!' })
  })
})

t.test('callSource: the call of a perRequest source, the operator on the one request otherwise', async (t) => {
  marbles(t, ({ cold, expectObservable }) => {
    const tagged = perRequest((request: string) => cold('-x|', { x: `call:${request}` }))
    const operator: OperatorFunction<string, string> = map((request) => `op:${request}`)
    expectObservable(callSource(tagged, 'r')).toBe('-x|', { x: 'call:r' })
    expectObservable(callSource(operator, 'r')).toBe('(x|)', { x: 'op:r' })
  })
})

t.test('fanOut calls a perRequest source directly, once per request, not through its operator', async (t) => {
  const calls: string[] = []
  const source = perRequest((request: string) => {
    calls.push(request)
    return new Observable<Record<string, string>>((subscriber) => {
      subscriber.next({ seen: request })
      subscriber.complete()
    })
  })
  const operatorCalls: unknown[] = []
  const spied = Object.assign((input: Observable<string>) => {
    operatorCalls.push(input)
    return source(input)
  }, source)
  marbles(t, ({ cold, expectObservable }) => {
    const out = cold('a|').pipe(fanOut({ one: spied }), merge(), map((answer) => answer.data))
    expectObservable(out).toBe('a|', { a: { seen: 'a' } })
  })
  t.strictSame(calls, ['a'])
  t.strictSame(operatorCalls, [], 'the operator itself was never applied')
})
