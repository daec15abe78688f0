import assert from 'node:assert/strict'
import { test } from 'node:test'
import { divergenceOf as compare } from '../../src/diff/compare.ts'
import { jsonLeg, options } from './legs.ts'

test('a key missing on one side is reported with only the present side', () => {
  const divergence = compare(jsonLeg({ a: 1, gone: { x: 1 } }), jsonLeg({ a: 1, added: 'y' }), options())
  assert.deepEqual(divergence?.body, {
    kind: 'json',
    paths: [
      { path: '$.gone', reference: { x: 1 }, change: 'missing' },
      { path: '$.added', candidate: 'y', change: 'added' },
    ],
    truncated: false,
  })
  const [gone, added] = divergence!.body!.paths
  assert.ok(!('candidate' in gone!))
  assert.ok(!('reference' in added!))
})

test('null is a value, not a missing key', () => {
  const divergence = compare(jsonLeg({ a: null }), jsonLeg({}), options())
  assert.deepEqual(divergence?.body?.paths, [{ path: '$.a', reference: null, change: 'missing' }])
})

test('odd keys are formatted in bracket notation, and "__proto__" is an ordinary key', () => {
  const divergence = compare(
    jsonLeg('{"x-id":1,"__proto__":{"p":1}}'),
    jsonLeg('{"x-id":2,"__proto__":{"p":2}}'),
    options(),
  )
  assert.deepEqual(
    divergence?.body?.paths.map((p) => p.path),
    ["$['x-id']", '$.__proto__.p'],
  )
})
