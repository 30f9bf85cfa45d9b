/**
 * Before any timing: both contenders must answer with the same document, and rxgate must say it is
 * complete. Otherwise the figures would compare two different jobs, so the bench stops.
 */
import { deepStrictEqual } from 'node:assert/strict'

export interface Answer {
  readonly status: number
  readonly completed: string | null
  readonly text: string
}

async function get(url: string): Promise<Answer> {
  const res = await fetch(url)
  return { status: res.status, completed: res.headers.get('x-rxgate-completed'), text: await res.text() }
}

/** The document both serve (its size goes in the report); throws with what differs. */
export async function checkSameDocument(rxgateUrl: string, handWrittenUrl: string): Promise<{ bytes: number }> {
  const [rxgate, hand] = await Promise.all([get(rxgateUrl), get(handWrittenUrl)])
  const problems: string[] = []
  if (rxgate.status !== 200) problems.push(`rxgate answered ${rxgate.status}: ${rxgate.text.slice(0, 500)}`)
  if (rxgate.completed !== 'true') problems.push(`rxgate's X-Rxgate-Completed is ${rxgate.completed ?? 'missing'}, not true: a backend part failed`)
  if (hand.status !== 200) problems.push(`hand-written answered ${hand.status}: ${hand.text.slice(0, 500)}`)
  if (problems.length === 0) {
    try {
      deepStrictEqual(JSON.parse(rxgate.text), JSON.parse(hand.text))
    } catch (error) {
      problems.push(`the two documents differ:\n${error instanceof Error ? error.message : String(error)}`)
    }
  }
  if (problems.length > 0) throw new Error(`the contenders do not serve the same complete document, so timing them would mean nothing:\n- ${problems.join('\n- ')}`)
  return { bytes: Buffer.byteLength(rxgate.text) }
}
