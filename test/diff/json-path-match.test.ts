import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compileIgnore, type PathSegment } from '../../src/diff/json-path.ts'

function check(pattern: string, yes: PathSegment[][], no: PathSegment[][]): void {
  const matcher = compileIgnore([pattern])
  for (const path of yes)
    assert.equal(matcher.matches(path), true, `${pattern} should match ${JSON.stringify(path)}`)
  for (const path of no)
    assert.equal(matcher.matches(path), false, `${pattern} should not match ${JSON.stringify(path)}`)
}

test('dotted member names, and everything below the named node', () => {
  check(
    '$.meta.timestamp',
    [
      ['meta', 'timestamp'],
      ['meta', 'timestamp', 'nanos'],
      ['meta', 'timestamp', 0],
    ],
    [[], ['meta'], ['meta', 'timestampx'], ['timestamp'], ['x', 'meta', 'timestamp'], ['meta', 0]],
  )
})

test('[*] matches every element (and member) at one level', () => {
  check(
    '$.items[*].id',
    [
      ['items', 0, 'id'],
      ['items', 41, 'id'],
      ['items', 'k', 'id'],
    ],
    [['items', 0], ['items', 0, 'name'], ['items', 0, 'x', 'id'], ['id']],
  )
})

test('.* matches every member at one level', () => {
  check('$.*', [['a'], [0], ['a', 'b']], [[]])
  check(
    '$.a.*.c',
    [
      ['a', 'x', 'c'],
      ['a', 3, 'c'],
    ],
    [
      ['a', 'c'],
      ['a', 'x', 'y', 'c'],
    ],
  )
})

test('recursive descent matches at any depth', () => {
  check(
    '$..requestId',
    [['requestId'], ['a', 'requestId'], ['a', 0, 'b', 'requestId'], ['requestId', 'x']],
    [[], ['a'], ['a', 'requestIdx'], ['a', 'requestid']],
  )
  check(
    '$.a..b',
    [
      ['a', 'b'],
      ['a', 'x', 'b'],
      ['a', 1, 2, 'b'],
    ],
    [['b'], ['x', 'a', 'b'], ['a']],
  )
  check('$..[0]', [[0], ['a', 0], ['a', 1, 0]], [['a'], ['a', 1]])
  check('$..*', [['a'], [0], ['a', 'b']], [[]])
  check("$..['x y']", [['x y'], ['a', 'x y']], [['x']])
  check(
    '$..a..b',
    [
      ['a', 'b'],
      ['q', 'a', 'r', 's', 'b'],
    ],
    [['b', 'a'], ['a']],
  )
})

test('bracket notation: quoted names with escapes, both quotes', () => {
  check("$['odd key']", [['odd key'], ['odd key', 1]], [['odd'], ['odd key '], [0]])
  check('$["x-request-id"]', [['x-request-id']], [['x']])
  check("$['it\\'s']['a\\\\b']", [["it's", 'a\\b']], [["it's"]])
  check("$['\\u00e9t\\u00E9']", [['été']], [['ete']])
  check("$['0']", [['0']], [[0]])
})

test('indices select array elements only, members select object members only', () => {
  check(
    '$.a[0]',
    [
      ['a', 0],
      ['a', 0, 'x'],
    ],
    [['a', 1], ['a', '0'], ['a']],
  )
  check('$[2][10]', [[2, 10]], [[2, 1], [10]])
  check('$.a', [['a']], [[0]])
})

test('unions inside brackets', () => {
  check(
    "$['a','b'].c",
    [
      ['a', 'c'],
      ['b', 'c'],
    ],
    [['d', 'c']],
  )
  check(
    '$.x[0, 2]',
    [
      ['x', 0],
      ['x', 2],
    ],
    [['x', 1]],
  )
  check("$[ 'a' , 1 ]", [['a'], [1]], [[0]])
})

test('$ alone ignores the whole document', () => {
  check('$', [[], ['a'], [0, 'b']], [])
})

test('several patterns, and no pattern at all', () => {
  const matcher = compileIgnore(['$.a.b', '$..id', '$.list[*].t'])
  assert.equal(matcher.matches(['a', 'b']), true)
  assert.equal(matcher.matches(['x', 3, 'id']), true)
  assert.equal(matcher.matches(['list', 3, 't']), true)
  assert.equal(matcher.matches(['a', 'c']), false)
  assert.deepEqual(matcher.patterns, ['$.a.b', '$..id', '$.list[*].t'])
  const none = compileIgnore([])
  assert.equal(none.matches([]), false)
  assert.equal(none.root.dead, true)
})

test('stepping is cached: the same transition returns the same state object', () => {
  const matcher = compileIgnore(['$..requestId', '$.a[1]'])
  const a = matcher.step(matcher.root, 'anything')
  const b = matcher.step(matcher.root, 'other')
  assert.equal(a, b)
  assert.equal(matcher.step(matcher.root, 'a'), matcher.step(matcher.root, 'a'))
  assert.equal(matcher.step(matcher.root, 'requestId').ignored, true)
  const other = compileIgnore(['$.a.b'])
  const dead = other.step(other.root, 'x')
  assert.equal(dead.dead, true)
  assert.equal(other.step(dead, 'b'), dead)
})
