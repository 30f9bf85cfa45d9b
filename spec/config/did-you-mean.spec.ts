import t from 'tap'
import { didYouMean, editDistance } from '../../lib/config/did-you-mean.js'

const BACKEND = ['host', 'url_pattern', 'method', 'encoding', 'allow', 'deny', 'group', 'target', 'mapping', 'is_collection', 'sd', 'sd_scheme']

t.test('the edit distance counts a swap of neighbours as one edit', async (t) => {
  t.equal(editDistance('allow', 'allow'), 0)
  t.equal(editDistance('alow', 'allow'), 1, 'a deletion')
  t.equal(editDistance('methd', 'method'), 1)
  t.equal(editDistance('hsot', 'host'), 1, 'a swap')
  t.equal(editDistance('grop', 'group'), 1)
  t.equal(editDistance('taregt', 'target'), 1)
  t.equal(editDistance('encodign', 'encoding'), 1)
  t.equal(editDistance('dney', 'deny'), 1)
  t.equal(editDistance('ca', 'abc'), 3, 'optimal string alignment: a swapped pair is not edited again')
  t.equal(editDistance('', 'abc'), 3)
  t.equal(editDistance('kitten', 'sitting'), 3)
})

t.test('a close key is suggested; a far one is not', async (t) => {
  t.equal(didYouMean('alow', BACKEND), 'allow')
  t.equal(didYouMean('methd', BACKEND), 'method')
  t.equal(didYouMean('url_patern', BACKEND), 'url_pattern')
  t.equal(didYouMean('is_colection', BACKEND), 'is_collection')
  t.equal(didYouMean('hots', BACKEND), 'host')
  t.equal(didYouMean('completely_unrelated', BACKEND), undefined)
  t.equal(didYouMean('timeout', BACKEND), undefined)
})

t.test('case, "-" and "_" do not count, however far the key is otherwise', async (t) => {
  t.equal(didYouMean('URL-Pattern', BACKEND), 'url_pattern')
  t.equal(didYouMean('urlPattern', BACKEND), 'url_pattern')
  t.equal(didYouMean('IsCollection', BACKEND), 'is_collection')
  t.equal(didYouMean('SD', BACKEND), 'sd')
})

t.test('two edits do not turn a short key into any other', async (t) => {
  t.equal(didYouMean('xy', ['sd']), undefined, '"xy" is two edits from "sd" but shares nothing with it')
  t.equal(didYouMean('ho', ['host']), undefined, 'nor half of "host"')
  t.equal(didYouMean('sx', BACKEND), 'sd', 'one edit of two letters keeps one')
  t.equal(didYouMean('sdd', BACKEND), 'sd')
})

t.test('the closest wins, and a tie goes to the first known key', async (t) => {
  t.equal(didYouMean('sd_schem', BACKEND), 'sd_scheme')
  t.equal(didYouMean('abcx', ['abcd', 'abce']), 'abcd')
  t.equal(didYouMean('abcde', ['abxyz', 'abcdf']), 'abcdf')
})
