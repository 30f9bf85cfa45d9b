import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { ROOT } from './helpers/spawn-node.js'

/**
 * The package as a user gets it: `npm pack` of the built tree, installed into a new project,
 * its command run, its types compiled with `tsc --strict` and the project's TypeScript.
 */
const run = promisify(execFile)
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc')
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }

// npm passes its settings to scripts as npm_* variables (`npm test`): the commands here must not
// inherit them, or they would act on this project rather than the new one.
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')))

function exec(command: string, args: string[], cwd: string) {
  return run(command, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 })
}

/** The files `tsc` compiled for a project, or its errors. */
async function compile(cwd: string, project: string): Promise<string[]> {
  const { stdout } = await exec(process.execPath, [TSC, '-p', project, '--listFiles'], cwd).catch((error: { stdout?: string }) => {
    throw new Error(`tsc -p ${project} failed:\n${error.stdout ?? String(error)}`)
  })
  return stdout.split('\n').filter(Boolean)
}

t.test('npm pack: installs into a new project, runs its command, and compiles under tsc --strict', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'rxgate-package-'))
  t.teardown(() => rmSync(work, { recursive: true, force: true }))
  // The tree `npm test` built: `prepack` (publishing) builds dist/ afresh, which would pull it
  // from under the specs running beside this one.
  const { stdout: packed } = await exec('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT)
  const [tarball] = JSON.parse(packed) as { filename: string; files: { path: string }[] }[]
  const files = tarball!.files.map((file) => file.path)
  t.ok(files.includes('LICENSE'), 'the licence is shipped')
  t.ok(files.includes('dist/lib/adapters/fastify.js'), 'the fastify plugin is shipped')
  t.notOk(files.some((file) => /^(spec|perf|examples|deploy|dist\/(spec|perf|examples))\//.test(file)), 'no tests, benchmarks or examples')
  const maps = files.filter((file) => file.endsWith('.js.map'))
  const map = JSON.parse(readFileSync(join(ROOT, maps[0]!), 'utf8')) as { sources: string[]; sourcesContent?: string[] }
  t.equal(map.sourcesContent?.length, map.sources.length, 'source maps carry their sources: the .ts files are not shipped')

  const project = join(work, 'consumer')
  mkdirSync(project)
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
  const { stderr: installed } = await exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(work, tarball!.filename)], project)
  t.notMatch(installed, /EBADENGINE|ERESOLVE|peer dep/i, 'no engine or peer warnings (fastify is an optional peer)')

  const strict = { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', noEmit: true }
  writeFileSync(
    join(project, 'gateway.ts'),
    `import { pipe } from 'rxjs'
import { backend, gateway, type GatewayRequest, type NodeHandler } from 'rxgate'
import { fanOut, merge, pick, timeoutEach } from 'rxgate/operators'

const users = pipe(backend('http://users.local/users/{id}'), pick(['name']))
const gw = gateway().get('/users/{id}', pipe(fanOut({ user: users }), timeoutEach('800ms'), merge()))
export const handler: NodeHandler = gw.handler()
export const pathOf = (request: GatewayRequest): string => request.path
`,
  )
  // rxgate's declarations use Node's types (IncomingMessage, Buffer): with @types/node, as the README says.
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { ...strict, types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')] }, files: ['gateway.ts'] }),
  )
  // The operators alone need no Node types at all.
  writeFileSync(
    join(project, 'operators.ts'),
    `import { of } from 'rxjs'
import { pick } from 'rxgate/operators'
export const picked = of({ name: 'Ada', secret: 's3cret' }).pipe(pick(['name']))
`,
  )
  writeFileSync(join(project, 'tsconfig.operators.json'), JSON.stringify({ compilerOptions: { ...strict, types: [] }, files: ['operators.ts'] }))

  // Independent of each other: at once.
  const [{ stdout: printed }, { stdout: loaded }, compiled, operatorsOnly] = await Promise.all([
    exec('npx', ['--no-install', 'rxgate', 'version'], project),
    // Without fastify installed, every entry point loads: the plugin only needs fastify's types.
    exec(
      process.execPath,
      ['--input-type=module', '-e', "const [a, b, c] = await Promise.all([import('rxgate'), import('rxgate/operators'), import('rxgate/fastify')]); console.log(typeof a.gateway, typeof b.fanOut, typeof c.fastifyRxgate)"],
      project,
    ),
    compile(project, 'tsconfig.json'),
    compile(project, 'tsconfig.operators.json'),
  ])
  t.match(printed, new RegExp(`rxgate ${version.replaceAll('.', '\\.')}`), 'npx rxgate version')
  t.equal(loaded.trim(), 'function function function')
  t.ok(compiled.some((file) => file.includes('node_modules/rxgate/dist/lib/index.d.ts')), "rxgate's declarations compiled, without skipLibCheck")
  t.ok(operatorsOnly.some((file) => file.includes('node_modules/rxgate/dist/operators/index.d.ts')))
  t.notOk(operatorsOnly.some((file) => file.includes('@types/node')), 'no @types/node in the program')
})
