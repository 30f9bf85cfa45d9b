import { join } from 'node:path'
import t from 'tap'
import { firstJsonError, jsonErrorPosition, parseConfig, readConfig } from '../../lib/config/load.js'

const READ = { code: 'RXGATE_ERR_CONFIG_READ' }

t.test('reads JSON and YAML by extension', async (t) => {
  const dir = t.testdir({
    'gateway.json': '{ "version": 3, "port": 8081 }',
    'gateway.yaml': 'version: 3\nport: 8081\n',
    'gateway.yml': 'version: 3\nport: 8081\n',
    'with-bom.json': '\uFEFF{ "version": 3 }',
  })
  t.same(await readConfig(join(dir, 'gateway.json')), { version: 3, port: 8081 })
  t.same(await readConfig(join(dir, 'gateway.yaml')), { version: 3, port: 8081 })
  t.same(await readConfig(join(dir, 'gateway.yml')), { version: 3, port: 8081 })
  t.same(await readConfig(join(dir, 'with-bom.json')), { version: 3 })
})

t.test('an unknown extension is tried as JSON, then as YAML', async (t) => {
  const dir = t.testdir({
    'gateway.conf': '{ "version": 3 }',
    'gateway.txt': 'version: 3\n',
    'broken.conf': '{ "version": 3,\n  "port" 80 }',
    'broken.txt': 'version: 3\n  port: [80\n',
  })
  t.same(await readConfig(join(dir, 'gateway.conf')), { version: 3 })
  t.same(await readConfig(join(dir, 'gateway.txt')), { version: 3 })
  // what looks like JSON gets the JSON error, the rest the YAML one
  await t.rejects(readConfig(join(dir, 'broken.conf')), { ...READ, message: /invalid JSON at line 2, column 10/ })
  await t.rejects(readConfig(join(dir, 'broken.txt')), { ...READ, message: /invalid YAML at line \d+, column \d+/ })
})

t.test('a missing file says so, with the path as given', async (t) => {
  await t.rejects(readConfig('no-such-gateway.json'), {
    ...READ,
    message: 'cannot read no-such-gateway.json: no such file',
    details: { path: 'no-such-gateway.json' },
  })
  const dir = t.testdir({ folder: {} })
  await t.rejects(readConfig(join(dir, 'folder')), { ...READ, message: /: it is a directory, not a file$/ })
})

t.test('a JSON syntax error gives its line and column', async (t) => {
  const dir = t.testdir({
    // V8 reports this one with a position ("at position N" or "(line L column C)")
    'colon.json': '{\n  "version": 3,\n  "port" 8080\n}\n',
    // Node 20's V8 reports this one with no position at all: rxgate finds it
    'comma.json': '{\n  "version": 3,\n  "endpoints": [,]\n}\n',
    'truncated.json': '{\n  "version": 3,\n',
    'trailing-comma.json': '{\n  "version": 3,\n  "endpoints": [\n    { "endpoint": "/a", }\n  ]\n}',
  })
  await t.rejects(readConfig(join(dir, 'colon.json')), {
    ...READ,
    // the reason is V8's, and V8 words it differently from version to version
    message: new RegExp(`^cannot read ${join(dir, 'colon.json')}: invalid JSON at line 3, column 10: \\w`),
    details: { line: 3, column: 10 },
  })
  await t.rejects(readConfig(join(dir, 'comma.json')), {
    ...READ,
    message: /: invalid JSON at line 3, column 17: Unexpected token ','$/,
    details: { line: 3, column: 17 },
  })
  await t.rejects(readConfig(join(dir, 'truncated.json')), {
    ...READ,
    message: /: invalid JSON at line 3, column 1: /,
  })
  await t.rejects(readConfig(join(dir, 'trailing-comma.json')), { ...READ, message: /: invalid JSON at line 4, column 25: / })
})

t.test('JSON positions from every V8 message style', async (t) => {
  const text = '{\n  "a": 1,\n  "b" 2\n}'
  t.same(jsonErrorPosition('Unexpected number in JSON at position 18 (line 3 column 7)', text), { line: 3, column: 7 })
  t.same(jsonErrorPosition('Unexpected number in JSON at position 18', text), { line: 3, column: 7 })
  t.same(jsonErrorPosition('Unexpected number in JSON', text), { line: 3, column: 7 })
})

t.test('the scanner finds the offset V8 reports', async (t) => {
  const broken = ['{"a": 1,}', '[1, 2', '{"a" 1}', '{"a": tru}', '{"a": "x\u0001"}', '{"a": 01}', '[1] 2', '{"a": "\\q"}', '  ', '{"a": -}', '[1,,2]']
  for (const text of broken) {
    let message = ''
    try {
      JSON.parse(text)
    } catch (error) {
      message = (error as Error).message
    }
    const position = /at position (\d+)/.exec(message)
    const expected = position ? Number(position[1]) : /end of JSON input/.test(message) ? text.length : undefined
    if (expected !== undefined) t.equal(firstJsonError(text), expected, text)
    else t.ok(firstJsonError(text) >= 0, text)
  }
  t.equal(firstJsonError('{"a": [1, {"b": null}], "c": "\\u00e9"}'), -1, 'valid JSON has no error')
})

t.test('a YAML syntax error gives its line and column', async (t) => {
  const dir = t.testdir({
    'indent.yaml': 'version: 3\nendpoints:\n  - endpoint: /a\n   backend: []\n',
    'duplicate.yml': 'version: 3\nport: 8080\nport: 8081\n',
  })
  await t.rejects(readConfig(join(dir, 'indent.yaml')), {
    ...READ,
    message: `cannot read ${join(dir, 'indent.yaml')}: invalid YAML at line 4, column 1: Sequence item without - indicator`,
    details: { line: 4, column: 1 },
  })
  await t.rejects(readConfig(join(dir, 'duplicate.yml')), {
    ...READ,
    message: /: invalid YAML at line 3, column 1: Map keys must be unique$/,
  })
})

t.test('YAML aliases cannot expand without bound', async (t) => {
  const laughs = ['a: &a [x, x, x, x, x, x, x, x, x, x]']
  for (let i = 0; i < 8; i++) laughs.push(`${'bcdefghi'[i]}: &${'bcdefghi'[i]} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)
  t.throws(() => parseConfig(laughs.join('\n'), 'laughs.yaml'), { ...READ, message: /invalid YAML/ })
})
