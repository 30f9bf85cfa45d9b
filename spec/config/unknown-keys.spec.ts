import { readFileSync } from 'node:fs'
import t from 'tap'
import { findUnknownKeys, type SchemaNode } from '../../lib/config/unknown-keys.js'
import { SCHEMA_PATH } from '../../lib/config/validate.js'

const schema: SchemaNode = {
  properties: {
    name: {},
    legacy: { 'x-unimplemented': true },
    list: { type: 'array', items: { $ref: '#/definitions/item' } } as SchemaNode,
    open: { additionalProperties: true, properties: { known: { $ref: '#/definitions/item' } } },
    free: { type: 'object' } as SchemaNode,
    map: { additionalProperties: { $ref: '#/definitions/item' } },
  },
  definitions: { item: { $ref: '#/definitions/leaf' }, leaf: { properties: { size: {} } } },
}

t.test('unknown keys anywhere the schema lists properties, with a suggestion when one is close', async (t) => {
  const findings = findUnknownKeys(
    {
      nmae: 1,
      legacy: { anything: true },
      list: [{ size: 1 }, { szie: 2 }, 'not an object'],
      open: { other: { whatever: 1 }, known: { sise: 1 } },
      free: { whatever: { nested: 1 } },
      map: { a: { size: 1 }, b: { siz: 1 } },
      '@comment': 'x',
      $id: 'x',
      '#note': 'x',
      'a/b~c': 1,
    },
    schema,
  )
  t.same(findings, [
    { pointer: '/nmae', kind: 'unknown', message: 'is not a key rxgate knows; did you mean "name"?' },
    { pointer: '/legacy', kind: 'unimplemented', message: 'is a KrakenD setting rxgate does not implement: ignored' },
    { pointer: '/list/1/szie', kind: 'unknown', message: 'is not a key rxgate knows; did you mean "size"?' },
    { pointer: '/open/known/sise', kind: 'unknown', message: 'is not a key rxgate knows; did you mean "size"?' },
    { pointer: '/map/b/siz', kind: 'unknown', message: 'is not a key rxgate knows; did you mean "size"?' },
    { pointer: '/a~1b~0c', kind: 'unknown', message: 'is not a key rxgate knows: ignored' },
  ])
})

t.test('values of the wrong shape are left to the schema validation', async (t) => {
  t.same(findUnknownKeys(null, schema), [])
  t.same(findUnknownKeys([1, 2], schema), [])
  t.same(findUnknownKeys({ list: 'x', open: [1], name: { deep: 1 } }, schema), [])
})

t.test('a $ref that names nothing is a broken schema, said at once', async (t) => {
  t.throws(() => findUnknownKeys({ a: {} }, { properties: { a: { $ref: '#/definitions/missing' } } }), /\$ref #\/definitions\/missing names nothing/)
})

t.test('the rxgate schema: every $ref resolves and extra_config stays open to other namespaces', async (t) => {
  const real = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as SchemaNode
  const findings = findUnknownKeys(
    {
      version: 3,
      extra_config: { 'telemetry/logging': { level: 'DEBUG' }, router: {}, rxgate: {} },
      endpoints: [
        {
          endpoint: '/a',
          extra_config: { 'auth/validator': {}, proxy: { static: { data: { x: 1 } }, flatmap_filter: [{ type: 'del', args: [] }] } },
          backend: [{ url_pattern: '/a', mapping: { a: 'b' }, extra_config: { proxy: {}, 'backend/http': {}, 'qos/circuit-breaker': {} } }],
        },
      ],
    },
    real,
  )
  t.same(findings, [])
})
