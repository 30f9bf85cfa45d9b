/**
 * The big-body scenario's backend documents: JSON written once into a temp folder (readable by
 * nginx's workers), about 100 MB by default, a large array of catalogue items first and one small
 * key, `total`, last, so that keeping it means reading the whole body.
 */
import { chmodSync, closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { atStop } from './processes.js'

export const BIG_PATH = '/big.json'
/** The document passed whole (20 MiB). */
export const WHOLE_PATH = '/whole.json'
/** The key kept by the allow-list. */
export const KEPT = 'total'
const TARGET_BYTES = 100 * 1024 * 1024

function item(n: number): string {
  return JSON.stringify({
    sku: `SKU-${100000 + n}`,
    title: `Catalogue item number ${n}, with a title long enough to look real`,
    price: Math.round((4.99 + (n % 1000) * 0.25) * 100) / 100,
    stock: n % 97,
    tags: ['catalogue', n % 2 === 0 ? 'even' : 'odd'],
    warehouse: { code: n % 3 === 0 ? 'LHR-1' : 'LHR-2', shelf: `A${n % 40}` },
  })
}

export interface BigFixture {
  readonly file: string
  readonly bytes: number
  readonly items: number
}

/** Writes a document of about `targetBytes` (100 MiB by default). */
export function writeBigFixture(targetBytes = TARGET_BYTES): BigFixture {
  const dir = mkdtempSync(join(tmpdir(), 'rxgate-bench-big-'))
  chmodSync(dir, 0o755)
  atStop(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'big.json')
  const fd = openSync(file, 'w', 0o644)
  let written = 0
  let n = 0
  try {
    written += writeSync(fd, '{"items":[')
    while (written < targetBytes) {
      // A thousand items per write: few syscalls, little memory.
      const chunk: string[] = []
      for (let i = 0; i < 1000; i++, n++) chunk.push(item(n))
      written += writeSync(fd, (n > 1000 ? ',' : '') + chunk.join(','))
    }
    writeSync(fd, `],"${KEPT}":${n}}`)
  } finally {
    closeSync(fd)
  }
  return { file, bytes: statSync(file).size, items: n }
}
