import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compileIgnore, JsonPathSyntaxError } from '../../src/diff/json-path.ts'

function rejects(pattern: string, position: number, message: RegExp): void {
  assert.throws(
    () => compileIgnore(['$.ok', pattern]),
    (err: unknown) => {
      assert.ok(err instanceof JsonPathSyntaxError)
      assert.ok(err instanceof Error)
      assert.equal(err.pattern, pattern)
      assert.equal(err.position, position, err.message)
      assert.ok(err.message.includes(JSON.stringify(pattern)), err.message)
      assert.ok(err.message.includes(`position ${position}`), err.message)
      assert.match(err.message, message)
      return true
    },
  )
}

test('a pattern must start at the root', () => {
  rejects('meta.timestamp', 0, /expected "\$"/)
  rejects('', 0, /expected "\$".*found end of pattern/)
})

test('missing or bad names after . and ..', () => {
  rejects('$.', 2, /expected a member name, "\*" after "\."/)
  rejects('$..', 3, /after "\.\.", found end of pattern/)
  rejects('$.1a', 2, /found "1"/)
  rejects('$.a b', 3, /expected "\." or "\[", found " "/)
})

test('keys that are not identifiers get a bracket-notation hint', () => {
  rejects('$.x-request-id', 3, /found "-".*bracket notation/)
  rejects('$.-x', 2, /bracket notation/)
})

test('unterminated brackets and strings', () => {
  rejects('$.items[*', 9, /expected "," or "\]", found end of pattern/)
  rejects("$['odd key", 10, /expected closing ' of the name started at position 2/)
  rejects('$[', 2, /expected a quoted member name, an index or "\*", found end of pattern/)
  rejects('$[]', 2, /found "\]"/)
  rejects('$[abc]', 2, /expected a quoted member name/)
})

test('bad escapes', () => {
  rejects("$['a\\x']", 4, /invalid escape "\\\\x"/)
  rejects("$['\\u12']", 3, /4 hex digits/)
})

test('unsupported JSONPath features say so', () => {
  rejects('$.a[-1]', 4, /negative indices are not supported/)
  rejects('$.a[0:2]', 5, /slices are not supported/)
  rejects('$.a[:2]', 4, /slices are not supported/)
  rejects('$.a[?@.b]', 4, /filter expressions are not supported/)
  rejects('$.a[01]', 4, /leading zeros/)
})

test('the first invalid pattern is reported, valid ones compile', () => {
  assert.doesNotThrow(() =>
    compileIgnore(['$', '$.a', '$..b', "$['c d']", '$.e[0]', '$.*', '$[*]', '$..*', '$.f[1,2]', '$.é']),
  )
})
