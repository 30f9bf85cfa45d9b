import { readFileSync } from 'node:fs'
import t from 'tap'
import { ALIASES, NAMESPACES, readExtraConfig, shortName } from '../../lib/config/namespaces.js'
import { SCHEMA_PATH } from '../../lib/config/validate.js'

t.test('legacy names map to the short ones', async (t) => {
  t.equal(shortName('github.com/devopsfaith/krakend/proxy'), 'proxy')
  t.equal(shortName('github_com/devopsfaith/krakend/proxy'), 'proxy')
  t.equal(shortName('github_com/luraproject/lura/router/gin'), 'router')
  t.equal(shortName('github.com/devopsfaith/krakend/http'), 'backend/http')
  t.equal(shortName('proxy'), 'proxy')
  t.equal(shortName('auth/validator'), 'auth/validator')
})

t.test('the old names of components rxgate does not implement map too, in both spellings', async (t) => {
  t.equal(shortName('github.com/devopsfaith/krakend-jose/validator'), 'auth/validator')
  t.equal(shortName('github_com/devopsfaith/krakend-jose/validator'), 'auth/validator')
  t.equal(shortName('github_com/devopsfaith/krakend-ratelimit/juju/router'), 'qos/ratelimit/router')
  t.equal(shortName('github.com/devopsfaith/krakend-circuitbreaker/gobreaker'), 'qos/circuit-breaker')
  t.equal(shortName('github_com/devopsfaith/krakend-cors'), 'security/cors')
  t.equal(shortName('github.com/devopsfaith/bloomfilter'), 'auth/revoker')
  t.equal(shortName('github_com/devopsfaith/krakend-gologging'), 'telemetry/logging', 'the logging component, which rxgate implements')
  t.equal(shortName('github_com/devopsfaith/krakend-gelf'), 'github_com/devopsfaith/krakend-gelf', 'not a family that fails closed')
  for (const [legacy, short] of Object.entries(ALIASES)) {
    const twin = legacy.startsWith('github.com/') ? legacy.replace('github.com/', 'github_com/') : legacy.replace('github_com/', 'github.com/')
    t.equal(ALIASES[twin], short, `${legacy} has its twin spelling`)
  }
})

t.test('rxgate\'s own namespace is a service one', async (t) => {
  t.ok(NAMESPACES.service.includes('rxgate'))
  t.same(readExtraConfig({ rxgate: { max_nesting_depth: 5 } }, 'endpoint').ignored, ['rxgate'])
})

t.test('an extra_config is sorted per scope', async (t) => {
  const extra = {
    '@comment': 'not a namespace',
    'github.com/devopsfaith/krakend/proxy': { shadow: true },
    'backend/http': { return_error_code: true },
    'telemetry/gelf': {},
    router: {},
  }
  const backend = readExtraConfig(extra, 'backend')
  t.same([...backend.known], [
    ['proxy', { key: 'github.com/devopsfaith/krakend/proxy', value: { shadow: true } }],
    ['backend/http', { key: 'backend/http', value: { return_error_code: true } }],
  ])
  t.same(backend.ignored, ['telemetry/gelf', 'router'], 'a namespace rxgate does not implement, and one of another scope, are ignored')
  t.same(readExtraConfig(extra, 'service').ignored, ['github.com/devopsfaith/krakend/proxy', 'backend/http', 'telemetry/gelf'])
  t.same(readExtraConfig(undefined, 'service'), { known: new Map(), ignored: [], duplicates: new Map() })
})

t.test('the short name wins over a legacy one, and both are reported', async (t) => {
  const both = readExtraConfig({ proxy: { sequential: true }, 'github_com/devopsfaith/krakend/proxy': { sequential: false } }, 'endpoint')
  t.same(both.known.get('proxy'), { key: 'proxy', value: { sequential: true } })
  t.same([...both.duplicates], [['proxy', ['proxy', 'github_com/devopsfaith/krakend/proxy']]])
})

t.test('the JSON Schema knows every name of every namespace, in its scope', async (t) => {
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as { definitions: Record<string, { properties: object }> }
  for (const scope of ['service', 'endpoint', 'backend'] as const) {
    const inSchema = Object.keys(schema.definitions[`${scope}_extra_config`]!.properties).sort()
    const names = Object.keys(ALIASES).filter((alias) => NAMESPACES[scope].includes(ALIASES[alias]!))
    t.same(inSchema, [...NAMESPACES[scope], ...names].sort(), scope)
  }
})
