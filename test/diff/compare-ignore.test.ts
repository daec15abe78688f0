import assert from 'node:assert/strict'
import { test } from 'node:test'
import { divergenceOf as compare } from '../../src/diff/compare.ts'
import { jsonLeg, options } from './legs.ts'

function paths(reference: unknown, candidate: unknown, ignorePatterns: string[]): string[] | null {
  const divergence = compare(jsonLeg(reference), jsonLeg(candidate), options({ ignorePatterns }))
  return divergence === null ? null : (divergence.body?.paths.map((p) => p.path) ?? [])
}

test('a member path ignores that member and its subtree', () => {
  const a = { meta: { timestamp: 1, host: 'a' }, v: 1 }
  const b = { meta: { timestamp: 2, host: 'a' }, v: 1 }
  assert.equal(paths(a, b, ['$.meta.timestamp']), null)
  assert.deepEqual(paths(a, { ...b, v: 2 }, ['$.meta.timestamp']), ['$.v'])
  assert.equal(paths({ meta: { t: { x: 1 } } }, { meta: { t: { x: 2, y: 3 } } }, ['$.meta']), null)
})

test('an ignored key missing on one side is not reported', () => {
  assert.equal(paths({ meta: { timestamp: 1 } }, { meta: {} }, ['$.meta.timestamp']), null)
  assert.equal(paths({ a: 1 }, { a: 1, traceId: 'x' }, ['$.traceId']), null)
})

test('[*] ignores the member in every element', () => {
  const a = {
    items: [
      { id: 'u1', p: 1 },
      { id: 'u2', p: 2 },
    ],
  }
  const b = {
    items: [
      { id: 'v1', p: 1 },
      { id: 'v2', p: 3 },
    ],
  }
  assert.deepEqual(paths(a, b, ['$.items[*].id']), ['$.items[1].p'])
})

test('recursive descent ignores the name at any depth', () => {
  const a = { requestId: 1, nested: { requestId: 2, list: [{ requestId: 3, keep: 1 }] } }
  const b = { requestId: 9, nested: { requestId: 8, list: [{ requestId: 7, keep: 2 }] } }
  assert.deepEqual(paths(a, b, ['$..requestId']), ['$.nested.list[0].keep'])
})

test('bracket names, indices and root wildcards', () => {
  assert.equal(paths({ 'odd key': 1 }, { 'odd key': 2 }, ["$['odd key']"]), null)
  assert.deepEqual(paths({ a: [1, 2] }, { a: [9, 8] }, ['$.a[0]']), ['$.a[1]'])
  assert.equal(paths({ a: 1, b: [1] }, { a: 2, b: [2], c: 3 }, ['$.*']), null)
  assert.equal(paths([1, 2], [3, 4], ['$[*]']), null)
})

test('ignoring the root ignores the body, not the status', () => {
  assert.equal(paths({ a: 1 }, [2], ['$']), null)
  const divergence = compare(
    jsonLeg({ a: 1 }),
    jsonLeg({ a: 2 }, { status: 500 }),
    options({ ignorePatterns: ['$'] }),
  )
  assert.equal(divergence?.body, undefined)
  assert.ok(divergence?.status)
})

test('ignore patterns do not apply to bodies that are not JSON', () => {
  const divergence = compare(jsonLeg('{"a":1}'), jsonLeg('not json'), options({ ignorePatterns: ['$'] }))
  assert.equal(divergence?.body?.kind, 'text')
})
