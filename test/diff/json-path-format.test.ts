import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compileIgnore, formatPath, type PathSegment } from '../../src/diff/json-path.ts'

test('formatPath writes dotted identifiers, bracketed indices, $ for the root', () => {
  assert.equal(formatPath([]), '$')
  assert.equal(formatPath(['items', 3, 'id']), '$.items[3].id')
  assert.equal(formatPath([0, 1]), '$[0][1]')
  assert.equal(formatPath(['_a1', 'B']), '$._a1.B')
})

test('keys that are not identifiers use quoted bracket notation with escapes', () => {
  assert.equal(formatPath(['odd key']), "$['odd key']")
  assert.equal(formatPath(['x-request-id']), "$['x-request-id']")
  assert.equal(formatPath(['1a']), "$['1a']")
  assert.equal(formatPath(['']), "$['']")
  assert.equal(formatPath(["it's"]), "$['it\\'s']")
  assert.equal(formatPath(['a\\b']), "$['a\\\\b']")
  assert.equal(formatPath(['line\nbreak\u0001']), "$['line\\nbreak\\u0001']")
  assert.equal(formatPath(['été']), "$['été']")
})

test('indices can be normalised to [*]', () => {
  assert.equal(formatPath(['items', 3, 'price'], true), '$.items[*].price')
  assert.equal(formatPath(['items', '3'], true), "$.items['3']")
})

test('every formatted path is an ignore pattern for that path', () => {
  const paths: PathSegment[][] = [
    [],
    ['items', 3, 'id'],
    ['odd key', "it's", 'a\\b', 0],
    ['line\nbreak\t\u0001', '"quoted"', '$', 'é'],
    ['0', 0],
  ]
  for (const path of paths) {
    const matcher = compileIgnore([formatPath(path)])
    assert.equal(matcher.matches(path), true, formatPath(path))
    if (path.length > 0) assert.equal(matcher.matches(path.slice(0, -1)), false, formatPath(path))
  }
})
