import { mkdirSync, mkdtempSync, renameSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { createLogger } from '../../lib/logger.js'
import { ConfigWatcher } from '../../lib/reload/watch.js'

const logger = createLogger({ level: 'silent' })
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
/** Longer than the debounce, with room for a busy machine. */
const SETTLE = 600

function watched(t: Test, file: string, plugin?: { folder: string; pattern: string }) {
  let changes = 0
  const watcher = new ConfigWatcher(file, () => changes++, { logger, debounceMs: 100, ...(plugin ? { plugin } : {}) })
  t.teardown(() => watcher.close())
  return { watcher, changes: () => changes }
}

t.test('a file saved by renaming another over it is one change, however many events', async (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'rxgate-watch-'))
  const file = join(folder, 'gateway.json')
  writeFileSync(file, '{"version":3}')
  const { changes } = watched(t, file)
  writeFileSync(join(folder, 'gateway.json.tmp'), '{"version":3,"port":1}')
  renameSync(join(folder, 'gateway.json.tmp'), file)
  writeFileSync(join(folder, 'gateway.json~'), 'a backup beside it')
  await pause(SETTLE)
  t.equal(changes(), 1)

  writeFileSync(file, '{"version":3,"port":1}')
  await pause(SETTLE)
  t.equal(changes(), 1, 'written again with the same text: no change')
  writeFileSync(join(folder, 'other.json'), '{}')
  await pause(SETTLE)
  t.equal(changes(), 1, 'another file of the folder: no change')
  writeFileSync(file, '{"version":3,"port":2}')
  await pause(SETTLE)
  t.equal(changes(), 2, 'written in place with other text')
})

t.test('a file behind a symbolic link swapped as Kubernetes swaps a ConfigMap\'s', async (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'rxgate-watch-'))
  mkdirSync(join(folder, 'v1'))
  mkdirSync(join(folder, 'v2'))
  writeFileSync(join(folder, 'v1', 'gateway.json'), '{"version":3}')
  writeFileSync(join(folder, 'v2', 'gateway.json'), '{"version":3,"port":2}')
  symlinkSync('v1', join(folder, '..data'))
  symlinkSync(join('..data', 'gateway.json'), join(folder, 'gateway.json'))
  const { changes } = watched(t, join(folder, 'gateway.json'))
  symlinkSync('v2', join(folder, '..data_tmp'))
  renameSync(join(folder, '..data_tmp'), join(folder, '..data'))
  await pause(SETTLE)
  t.equal(changes(), 1)
})

t.test('a module of the plugin folder whose name has the pattern is a change; the folder follows the file', async (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'rxgate-watch-'))
  const plugins = join(folder, 'plugins')
  mkdirSync(plugins)
  const file = join(folder, 'gateway.json')
  writeFileSync(file, '{"version":3}')
  const { watcher, changes } = watched(t, file, { folder: plugins, pattern: '.js' })
  writeFileSync(join(plugins, 'README.md'), 'not a module')
  await pause(SETTLE)
  t.equal(changes(), 0, 'a file without the pattern')
  writeFileSync(join(plugins, 'headers.js'), 'export default []')
  await pause(SETTLE)
  t.equal(changes(), 1)
  watcher.watchPlugins(undefined)
  writeFileSync(join(plugins, 'headers.js'), 'export default [1]')
  await pause(SETTLE)
  t.equal(changes(), 1, 'a file that no longer names the folder: it is no longer watched')
})
