import assert from 'node:assert/strict'
import { test } from 'node:test'
import { divergenceOf as compare } from '../../src/diff/compare.ts'
import { jsonLeg, options } from './legs.ts'

const paths = (d: ReturnType<typeof compare>) => d?.body?.paths.map(({ path, change }) => ({ path, change }))

test('arrays compare by position', () => {
  const divergence = compare(jsonLeg([1, 2, 3]), jsonLeg([1, 9, 3]), options())
  assert.deepEqual(divergence?.body?.paths, [{ path: '$[1]', reference: 2, candidate: 9, change: 'value' }])
})

test('the same elements in another order are one `order` difference at the array', () => {
  const divergence = compare(jsonLeg({ a: [1, 2, 3] }), jsonLeg({ a: [1, 3, 2] }), options())
  assert.deepEqual(paths(divergence), [{ path: '$.a', change: 'order' }])
  assert.deepEqual(divergence?.body?.paths[0]?.reference, [1, 2, 3])
})

test('`unordered` arrays compare as multisets: order does not matter, content does', () => {
  const rules = options({ unordered: ['$.tags'] })
  assert.equal(compare(jsonLeg({ tags: ['a', 'b', 'c'] }), jsonLeg({ tags: ['c', 'a', 'b'] }), rules), null)
  const lost = compare(jsonLeg({ tags: ['a', 'b', 'c'] }), jsonLeg({ tags: ['c', 'a'] }), rules)
  assert.ok(lost)
  assert.ok(paths(lost)?.some((p) => p.change === 'missing' || p.change === 'length'))
  // a duplicate is a difference in a multiset
  assert.ok(compare(jsonLeg({ tags: ['a', 'b'] }), jsonLeg({ tags: ['a', 'a'] }), rules))
})

test('`match_by` pairs elements by a key member: order does not matter, each element is compared', () => {
  const rules = options({ matchBy: { '$.items': 'id' } })
  const a = {
    items: [
      { id: 1, v: 'x' },
      { id: 2, v: 'y' },
    ],
  }
  assert.equal(
    compare(
      jsonLeg(a),
      jsonLeg({
        items: [
          { id: 2, v: 'y' },
          { id: 1, v: 'x' },
        ],
      }),
      rules,
    ),
    null,
  )
  const changed = compare(
    jsonLeg(a),
    jsonLeg({
      items: [
        { id: 2, v: 'z' },
        { id: 1, v: 'x' },
      ],
    }),
    rules,
  )
  assert.deepEqual(changed?.body?.paths, [
    { path: '$.items[1].v', reference: 'y', candidate: 'z', change: 'value' },
  ])
})

test('objects reordered by an id member are paired by it: one `order`, then what really changed', () => {
  const a = {
    items: [
      { id: 'a', n: 1 },
      { id: 'b', n: 2 },
      { id: 'c', n: 3 },
    ],
  }
  const b = {
    items: [
      { id: 'c', n: 3 },
      { id: 'a', n: 1 },
      { id: 'b', n: 5 },
    ],
  }
  assert.deepEqual(paths(compare(jsonLeg(a), jsonLeg(b), options())), [
    { path: '$.items', change: 'order' },
    { path: '$.items[1].n', change: 'value' },
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
  assert.deepEqual(divergence?.body?.paths, [
    { path: '$.m[1][1][1]', reference: 5, candidate: 6, change: 'value' },
  ])
})

test('extra elements are reported with only the present side, after the lengths', () => {
  const longer = compare(jsonLeg({ a: [1] }), jsonLeg({ a: [1, { x: 2 }, 3] }), options())
  assert.deepEqual(longer?.body?.paths, [
    { path: '$.a', reference: 1, candidate: 3, change: 'length' },
    { path: '$.a[1]', candidate: { x: 2 }, change: 'added' },
    { path: '$.a[2]', candidate: 3, change: 'added' },
  ])
  const shorter = compare(jsonLeg([1, 2]), jsonLeg([1]), options())
  assert.deepEqual(shorter?.body?.paths, [
    { path: '$', reference: 2, candidate: 1, change: 'length' },
    { path: '$[1]', reference: 2, change: 'missing' },
  ])
  assert.ok(!('candidate' in shorter!.body!.paths[1]!))
})

test('an array against an object or a scalar is a difference at that node', () => {
  assert.deepEqual(compare(jsonLeg({ a: [] }), jsonLeg({ a: {} }), options())?.body?.paths, [
    { path: '$.a', reference: [], candidate: {}, change: 'type' },
  ])
  assert.deepEqual(compare(jsonLeg({ a: [1] }), jsonLeg({ a: null }), options())?.body?.paths, [
    { path: '$.a', reference: [1], candidate: null, change: 'type' },
  ])
})

test('documents nested deeper than 128 levels are compared as text, never by value', () => {
  const deep = (leaf: string) => jsonLeg('['.repeat(200) + leaf + ']'.repeat(200))
  const divergence = compare(deep('1'), deep('2'), options())
  assert.equal(divergence?.body?.kind, 'text')
  // equal bytes stay equal
  assert.equal(compare(deep('1'), deep('1'), options()), null)
})
