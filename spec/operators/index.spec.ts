import t from 'tap'
import * as operators from '../../operators/index.js'

t.test('exports every operator and helper', async (t) => {
  const names = [
    'fanOut', 'timeoutEach', 'merge', 'pick', 'omit', 'group', 'wrap', 'rename', 'target',
    'flatmap', 'staticData', 'concurrent', 'balance', 'shadow', 'sequence', 'perRequest', 'callSource', 'labelSource', 'sourceLabel',
    'fan', 'delivered', 'failed', 'toMilliseconds', 'fieldTree', 'pickFields', 'omitFields', 'merged', 'isMerged',
  ]
  for (const name of names) t.type(operators[name as keyof typeof operators], 'function', name)
  t.type(operators.MERGED, 'symbol', 'the mark of a merged answer')
  t.strictSame(Object.keys(operators).sort(), [...names, 'MERGED'].sort())
})
