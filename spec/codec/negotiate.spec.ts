import t from 'tap'
import { negotiator } from '../../lib/codec/negotiate.js'

t.test('chooses by Accept, JSON when nothing else fits', async (t) => {
  const choose = negotiator()
  const cases: [string | string[] | undefined, string][] = [
    [undefined, 'json'],
    ['', 'json'],
    ['application/json', 'json'],
    ['application/xml', 'xml'],
    ['text/xml', 'xml'],
    ['application/x-yaml', 'yaml'],
    ['application/yaml', 'yaml'],
    ['text/yaml', 'yaml'],
    ['text/plain', 'yaml'],
    ['*/*', 'json'],
    ['application/*', 'json'],
    ['text/*', 'yaml'],
    ['image/png', 'json'],
    ['application/xml;q=0.5, application/json;q=0.9', 'json'],
    ['application/json;q=0.5, application/xml', 'xml'],
    ['application/xml, application/json', 'xml'],
    ['application/json, application/xml', 'json'],
    ['application/json;q=0, */*', 'yaml'],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'xml'],
    ['APPLICATION/XML', 'xml'],
    [['text/html', 'application/xml'], 'xml'],
    ['application/xml;q=0', 'json'],
    ['garbage', 'json'],
  ]
  for (const [accept, format] of cases) t.equal(choose(accept), format, JSON.stringify(accept))
  for (let i = 0; i < 600; i++) choose(`application/x-${i}`)
  t.equal(choose('application/xml'), 'xml', 'the cache stays bounded and correct')
})
