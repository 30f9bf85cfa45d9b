/**
 * The known key a misspelled one most likely meant: the same key but for case and `-` or `_`
 * (`URL-Pattern`, `urlPattern`), or the closest within two edits, a swap of neighbours counting as
 * one (`alow`, `methd`, `hsot`). `undefined` when none is that close.
 */
export function didYouMean(key: string, known: Iterable<string>): string | undefined {
  const candidates = [...known]
  const loose = looseForm(key)
  const same = candidates.find((candidate) => looseForm(candidate) === loose)
  if (same !== undefined) return same
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    const distance = editDistance(key, candidate)
    // two edits turn any two-letter key into any other: a suggestion must keep part of the key
    if (distance <= 2 && distance < Math.min(key.length, candidate.length) && distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

function looseForm(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '')
}

/**
 * The Damerau-Levenshtein distance in its optimal string alignment form: insertions, deletions,
 * substitutions and swaps of two neighbours, each counting one.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1
  const columns = b.length + 1
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: columns }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < columns; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let distance = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) distance = Math.min(distance, d[i - 2]![j - 2]! + 1)
      d[i]![j] = distance
    }
  }
  return d[a.length]![b.length]!
}
