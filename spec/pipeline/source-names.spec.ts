import t from 'tap'
import type { BackendConfig } from '../../lib/config/types.js'
import { sourceNames } from '../../lib/pipeline/source-names.js'

const backend = (url_pattern: string) => ({ url_pattern }) as BackendConfig

t.test('backends are named by their url_pattern, with their position when two share one', async (t) => {
  t.same(sourceNames([backend('/users/{id}'), backend('/carts/{id}')]), ['/users/{id}', '/carts/{id}'])
  t.same(sourceNames([backend('/a'), backend('/b'), backend('/a')]), ['0:/a', '/b', '2:/a'])
})
