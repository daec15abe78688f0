import assert from 'node:assert/strict'
import { test } from 'node:test'
import { divergenceOf as compare } from '../../src/diff/compare.ts'
import { jsonLeg, options } from './legs.ts'

test('identical bytes are equal', () => {
  assert.equal(compare(jsonLeg({ a: 1 }), jsonLeg({ a: 1 }), options()), null)
})

test('object key order does not matter, at any depth', () => {
  assert.equal(
    compare(
      jsonLeg('{"a":1,"b":{"x":[{"p":1,"q":2}],"y":null},"c":"s"}'),
      jsonLeg('{ "c" : "s", "b":{"y":null,"x":[{"q":2,"p":1}]}, "a":1 }'),
      options(),
    ),
    null,
  )
})

test('whitespace does not matter', () => {
  assert.equal(compare(jsonLeg('{"a":[1,2]}'), jsonLeg('{\n  "a": [ 1, 2 ]\n}\n'), options()), null)
})
