import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import t from 'tap'
import { checkConfig } from '../../lib/config/index.js'
import { ErrorCodes, RxgateError } from '../../lib/errors.js'
import { loadPluginFolder, loadPlugins } from '../../lib/plugins/load.js'
import { recordingLogger } from '../helpers/serve-gateway.js'

/** A folder of modules (file name → source), ES modules by their package.json. */
function folderOf(files: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), 'rxgate-plugins-'))
  writeFileSync(join(folder, 'package.json'), '{ "type": "module" }')
  for (const [name, source] of Object.entries(files)) writeFileSync(join(folder, name), source)
  return folder
}

async function failure(promise: Promise<unknown>): Promise<RxgateError> {
  try {
    await promise
  } catch (error) {
    return error as RxgateError
  }
  throw new Error('expected a failure')
}

t.test('the modules whose names contain the pattern, in name order, .js, .mjs and .cjs only, not in subfolders', async (t) => {
  const folder = folderOf({
    'b.plugin.js': "export default { name: 'b', server: () => (next) => next }",
    'a.plugin.mjs': "export default [{ name: 'a1', server: () => (next) => next }, { name: 'a2', endpoint: () => (p) => p }]",
    'c.plugin.cjs': "module.exports = { name: 'c', backend: () => (s) => s }",
    'b.plugin.js.map': '{ not a module }',
    'helper.js': 'throw new Error("not matched by the pattern, never imported")',
  })
  mkdirSync(join(folder, 'nested.plugin.js'))
  const { logger, lines } = recordingLogger()
  logger.level = 'debug'
  const plugins = await loadPluginFolder({ folder, pattern: '.plugin.' }, { logger })
  t.same(plugins.names, ['a1', 'a2', 'b', 'c'], 'a module may register several; names in load order')
  t.equal(plugins.get('c')?.source, join(folder, 'c.plugin.cjs'))
  t.match(lines, [{ msg: 'plugin folder: not a JavaScript module, passed over', file: join(folder, 'b.plugin.js.map') }, { msg: 'plugins loaded: 4', folder }])
})

t.test('a relative folder starts at the working directory, unless cwd says otherwise', async (t) => {
  const folder = folderOf({ 'p.js': "export default { name: 'p', server: () => (next) => next }" })
  t.same((await loadPluginFolder({ folder: relative(process.cwd(), folder), pattern: '.js' })).names, ['p'])
  t.same((await loadPluginFolder({ folder: '.', pattern: '.js' }, { cwd: folder })).names, ['p'])
})

t.test('a missing folder, or a file where the folder should be, is a configuration error', async (t) => {
  const missing = await failure(loadPluginFolder({ folder: '/nonexistent/plugins', pattern: '.js' }))
  t.equal(missing.code, ErrorCodes.CONFIG_INVALID)
  t.same(missing.details.problems, ['/plugin/folder: "/nonexistent/plugins" (/nonexistent/plugins) does not exist; a relative folder starts at the working directory'])
  const folder = folderOf({ 'file.js': '' })
  const file = await failure(loadPluginFolder({ folder: join(folder, 'file.js'), pattern: '.js' }))
  t.match(file.message, /is not a folder/)
})

t.test('loadPlugins: none without a plugin key; the names the configuration uses checked against what loaded', async (t) => {
  const { config } = checkConfig({ version: 3, endpoints: [] })
  t.same((await loadPlugins(config)).names, [])
  const folder = folderOf({ 'p.js': "export default { name: 'p', server: () => (next) => next }" })
  const uses = checkConfig({
    version: 3,
    plugin: { folder, pattern: '.js' },
    host: ['http://x:1'],
    endpoints: [{ endpoint: '/a', extra_config: { 'plugin/req-resp-modifier': { name: ['p', 'q'] } }, backend: [{ url_pattern: '/' }] }],
  }).config
  const error = await failure(loadPlugins(uses))
  t.equal(error.code, ErrorCodes.CONFIG_INVALID)
  t.same(error.details.problems, [
    '/endpoints/0/extra_config/plugin~1req-resp-modifier/name/0: plugin "p" (' + join(folder, 'p.js') + ') has no "endpoint" factory, which plugin/req-resp-modifier on an endpoint needs; it has "server"',
    '/endpoints/0/extra_config/plugin~1req-resp-modifier/name/1: "q" is not a registered plugin (registered: p)',
  ])
})

t.test('a folder with no matching module says so when a name is used', async (t) => {
  const folder = folderOf({})
  const { config } = checkConfig({ version: 3, plugin: { folder, pattern: '.js' }, extra_config: { 'plugin/http-server': { name: 'p' } }, endpoints: [] })
  const error = await failure(loadPlugins(config))
  t.match(error.message, `"p" is not a registered plugin: no module in ${folder} has a name containing ".js"`)
})
