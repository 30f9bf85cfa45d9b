import { readFileSync } from 'node:fs'
import t from 'tap'
import { ROOT, runNode } from '../helpers/spawn-node.js'

const { version } = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string }

t.test('version and help', async (t) => {
  const printed = runNode('dist/bin/rxgate.js', ['version'])
  t.equal(await printed.exited, 0)
  t.equal(printed.output(), `rxgate ${version}\n`)
  const help = runNode('dist/bin/rxgate.js', ['--help'])
  t.equal(await help.exited, 0)
  t.match(help.output(), /Usage:[\s\S]*rxgate version/)
  t.match(help.output(), /--allow-unenforced\s+serve without the settings rxgate does not enforce/)
  t.match(help.output(), /--lint\s+keys rxgate does not know/)
})

t.test('an unknown command is an error, with the help', async (t) => {
  const wrong = runNode('dist/bin/rxgate.js', ['fly'])
  t.equal(await wrong.exited, 1)
  t.match(wrong.output(), /unknown command "fly"[\s\S]*Usage:/)
})
