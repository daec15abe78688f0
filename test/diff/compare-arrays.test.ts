import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compare } from '../../src/diff/compare.ts'
import { jsonLeg, options } from './legs.ts'

test('arrays compare by position', () => {
  const divergence = compare(jsonLeg([1, 2, 3]), jsonLeg([1, 3, 2]), options())
  assert.deepEqual(divergence?.body?.paths, [
    { path: '$[1]', reference: 2, candidate: 3 },
    { path: '$[2]', reference: 3, candidate: 2 },
  ])
})

test('nested arrays report the innermost differing element', () => {
  const divergence = compare(
    jsonLeg({
      m: [
        [1, 2],
        [3, [4, 5]],
      ],
    }),
    jsonLeg({
      m: [
        [1, 2],
        [3, [4, 6]],
      ],
    }),
    options(),
  )
  assert.deepEqual(divergence?.body?.paths, [{ path: '$.m[1][1][1]', reference: 5, candidate: 6 }])
})

test('extra elements are reported with only the present side', () => {
  const longer = compare(jsonLeg({ a: [1] }), jsonLeg({ a: [1, { x: 2 }, 3] }), options())
  assert.deepEqual(longer?.body?.paths, [
    { path: '$.a[1]', candidate: { x: 2 } },
    { path: '$.a[2]', candidate: 3 },
  ])
  const shorter = compare(jsonLeg([1, 2]), jsonLeg([1]), options())
  assert.deepEqual(shorter?.body?.paths, [{ path: '$[1]', reference: 2 }])
  assert.ok(!('candidate' in shorter!.body!.paths[0]!))
})

test('an array against an object or a scalar is a difference at that node', () => {
  assert.deepEqual(compare(jsonLeg({ a: [] }), jsonLeg({ a: {} }), options())?.body?.paths, [
    { path: '$.a', reference: [], candidate: {} },
  ])
  assert.deepEqual(compare(jsonLeg({ a: [1] }), jsonLeg({ a: null }), options())?.body?.paths, [
    { path: '$.a', reference: [1], candidate: null },
  ])
})

test('documents nested deeper than 128 levels are compared as bytes', () => {
  const deep = (leaf: string) => jsonLeg('['.repeat(200) + leaf + ']'.repeat(200))
  const divergence = compare(deep('1'), deep('2'), options())
  assert.equal(divergence?.body?.kind, 'bytes')
  // equal bytes stay equal
  assert.equal(compare(deep('1'), deep('1'), options()), null)
})
