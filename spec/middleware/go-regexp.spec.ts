import t from 'tap'
import { compileAnyOf, compileGoRegexp, goRegexpError } from '../../lib/middleware/go-regexp.js'

t.test("Go's syntax, as KrakenD compiles its patterns", async (t) => {
  t.ok(compileGoRegexp('(?i)googlebot').test('Mozilla/5.0 (compatible; Googlebot/2.1)'), '(?i) flags')
  t.ok(compileGoRegexp('(?P<name>bot)/\\d+').test('bot/2'), '(?P<name>) groups')
  t.ok(compileGoRegexp('^[[:alpha:]]+$').test('Crawler'), 'POSIX classes')
  t.ok(compileGoRegexp('\\pL+\\z').test('Bot'), 'Unicode classes and \\z')
  t.notOk(compileGoRegexp('^bot$').test('a bot'), 'anchors')
  t.ok(compileGoRegexp('bot').test('a bot, somewhere'), 'unanchored: a match anywhere, as MatchString')
})

t.test('what RE2 refuses is a SyntaxError that says why', async (t) => {
  t.throws(() => compileGoRegexp('(a'), new SyntaxError('missing ): (a'))
  t.equal(goRegexpError('(?=lookahead)'), 'invalid perl operator: (?=', 'no lookaround in RE2, as in Go')
  t.equal(goRegexpError('fine'), undefined)
})

t.test('a list of patterns matches when any does; an empty list never does', async (t) => {
  const any = compileAnyOf(['^a', 'b$', '(?i)C'])
  t.same(['ax', 'xb', 'xcx', 'xa'].map((text) => any.test(text)), [true, true, true, false], 'each keeps its own anchors and flags')
  t.notOk(compileAnyOf([]).test(''), 'no patterns: nothing matches, not even the empty text')
  t.throws(() => compileAnyOf(['ok', '(bad']), SyntaxError)
})
