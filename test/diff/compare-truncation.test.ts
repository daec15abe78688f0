import assert from 'node:assert/strict'
import { test } from 'node:test'
import { divergenceOf as compare } from '../../src/diff/compare.ts'
import { jsonLeg, options } from './legs.ts'

const list = (n: number, value: number) => Array.from({ length: n }, () => ({ price: value }))

test('at most maxPaths paths are listed, then truncated is set', () => {
  const divergence = compare(jsonLeg(list(30, 1)), jsonLeg(list(30, 2)), options())
  assert.equal(divergence?.body?.paths.length, 20)
  assert.equal(divergence?.body?.truncated, true)
  assert.equal(divergence?.body?.paths[19]?.path, '$[19].price')
})

test('exactly maxPaths differences is not truncated', () => {
  const divergence = compare(jsonLeg(list(5, 1)), jsonLeg(list(5, 2)), options({ maxPaths: 5 }))
  assert.equal(divergence?.body?.paths.length, 5)
  assert.equal(divergence?.body?.truncated, false)
})

test('maxPaths 0 still reports that the bodies differ', () => {
  const divergence = compare(jsonLeg({ a: 1 }), jsonLeg({ a: 2 }), options({ maxPaths: 0 }))
  assert.deepEqual(divergence?.body, { kind: 'json', paths: [], truncated: true })
})
