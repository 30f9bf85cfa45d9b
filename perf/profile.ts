/**
 * Where a contender's time goes under load: its process run with `node --cpu-prof`, then the
 * V8 profile summed up by self time, per function and per area (the project's folders, each npm
 * package, Node's internals, the garbage collector).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { atStop } from './processes.js'

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

export interface HotSpot {
  readonly name: string
  /** Share of the busy (non-idle) time, in percent. */
  readonly percent: number
  /** CPU time per request served, in microseconds, when the request count is known. */
  readonly perRequest?: number
}

export interface ProfileSummary {
  /** Share of the samples in which the process was busy, in percent. */
  readonly busy: number
  /** Busy CPU time per request served, in microseconds, when the request count is known. */
  readonly perRequest?: number
  readonly functions: readonly HotSpot[]
  readonly areas: readonly HotSpot[]
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** A fresh folder for `--cpu-prof-dir`, and the node flags that write a profile into it. */
export function profileFlags(): { dir: string; flags: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'rxgate-bench-prof-'))
  atStop(() => rmSync(dir, { recursive: true, force: true }))
  return { dir, flags: ['--cpu-prof', `--cpu-prof-dir=${dir}`] }
}

/**
 * Reads the one profile written in `dir`, sums it up, and removes the folder. With the number of
 * requests served while profiling, also gives the CPU time per request.
 */
export function summarize(dir: string, requests?: number, top = 15): ProfileSummary {
  try {
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'))
    if (!file) throw new Error(`no .cpuprofile was written in ${dir}: did the process exit cleanly?`)
    return sum(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile, top, requests)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function sum(profile: CpuProfile, top: number, requests: number | undefined): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const functions = new Map<string, number>()
  const areas = new Map<string, number>()
  let idle = 0
  let total = 0
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0
    const frame = byId.get(id)?.callFrame
    total += delta
    if (!frame || frame.functionName === '(idle)') {
      idle += delta
      return
    }
    add(functions, functionName(frame), delta)
    add(areas, area(frame), delta)
  })
  const busy = total - idle
  // timeDeltas are in microseconds.
  const per = (time: number) => (requests ? { perRequest: time / requests } : {})
  const ranked = (map: Map<string, number>) =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, time]) => ({ name, percent: (100 * time) / busy, ...per(time) }))
  return { busy: total === 0 ? 0 : (100 * busy) / total, ...per(busy), functions: ranked(functions), areas: ranked(areas) }
}

function add(map: Map<string, number>, key: string, time: number): void {
  map.set(key, (map.get(key) ?? 0) + time)
}

function file(url: string): string {
  const path = url.startsWith('file://') ? fileURLToPath(url) : url
  return path.startsWith(ROOT) ? path.slice(ROOT.length) : path
}

function functionName(frame: CallFrame): string {
  if (!frame.url) return frame.functionName || '(anonymous)'
  return `${file(frame.url)}:${frame.lineNumber + 1} ${frame.functionName || '(anonymous)'}`
}

function area(frame: CallFrame): string {
  if (!frame.url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)'
  const path = file(frame.url)
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)
  if (pkg) return `npm ${pkg[1]}`
  if (path.startsWith('node:')) return path.split('/').slice(0, 2).join('/')
  // The project's own code, by folder: lib/codec, operators, perf/contenders, ...
  const own = /^dist\/((?:lib|perf)\/[^/]+|[^/]+)/.exec(path)
  return own ? own[1]!.replace(/\.js$/, '') : path
}

export function formatSummary(summary: ProfileSummary): string {
  const us = (value: number | undefined) => (value === undefined ? '' : `${value.toFixed(1).padStart(6)} us/req  `)
  const lines = (spots: readonly HotSpot[]) => spots.map((s) => `  ${s.percent.toFixed(1).padStart(5)}%  ${us(s.perRequest)}${s.name}`).join('\n')
  const cost = summary.perRequest === undefined ? '' : ` (${summary.perRequest.toFixed(1)} us of CPU per request)`
  return [
    `busy ${summary.busy.toFixed(0)}% of the profiled time${cost}; self time, as a share of the busy time`,
    'by area:',
    lines(summary.areas),
    'by function:',
    lines(summary.functions),
  ].join('\n')
}
