import { of, pipe, throwError, timer, map } from 'rxjs'
import t from 'tap'
import { fanOut, labelSource, merge, perRequest, sequence, sourceLabel, timeoutEach } from '../../operators/index.js'
import { firstValueFrom } from 'rxjs'

const fails = labelSource(perRequest(() => throwError(() => new Error('down'))), '/users/{id}')
const slow = labelSource(perRequest(() => timer(1000).pipe(map(() => ({ late: true })))), '/slow')
const plain = perRequest(() => of({ ok: true }))

t.test('a labelled source says what it is; others say nothing', async (t) => {
  t.equal(sourceLabel(fails), '/users/{id}')
  t.equal(sourceLabel(plain), undefined)
  t.equal(sourceLabel(pipe(fails, map((x) => x))), undefined, 'a pipe around it is another source')
})

t.test("a failed part of a labelled source in a list carries its backend, whatever failed it", async (t) => {
  const answer = await firstValueFrom(of({}).pipe(fanOut([plain, fails, slow]), timeoutEach('50ms'), merge()))
  t.match(answer.errors, [
    { source: '1', backend: '/users/{id}', error: { message: 'down' } },
    { source: '2', backend: '/slow', error: { code: 'RXGATE_ERR_TIMEOUT' } },
  ])
  t.same(answer.data, { ok: true })
})

t.test('sequence: the failed source and the skipped ones carry theirs', async (t) => {
  const answer = await firstValueFrom(of({}).pipe(sequence([fails, slow], (request) => request), merge()))
  t.match(answer.errors, [
    { source: '0', backend: '/users/{id}' },
    { source: '1', backend: '/slow', error: { code: 'RXGATE_ERR_SKIPPED' } },
  ])
})
