/**
 * Another process's memory, from /proc/<pid>/status (Linux): its resident set now (VmRSS) and
 * its peak (VmHWM), which writing 5 to /proc/<pid>/clear_refs resets to the current RSS.
 */
import { readFileSync, writeFileSync } from 'node:fs'

function field(pid: number, name: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)
  if (!match?.[1]) throw new Error(`no ${name} in /proc/${pid}/status`)
  return Number(match[1]) * 1024
}

/** Resident bytes now. */
export const rss = (pid: number): number => field(pid, 'VmRSS')
/** Peak resident bytes since start or since the last {@link resetPeak}. */
export const peak = (pid: number): number => field(pid, 'VmHWM')

/** Resets the peak to the current RSS; false when the kernel does not allow it. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}
