import assert from 'node:assert/strict'
import { test } from 'node:test'
import { divergenceOf as compare } from '../../src/diff/compare.ts'
import { jsonLeg, options } from './legs.ts'

test('a different status is a divergence', () => {
  const divergence = compare(jsonLeg({ a: 1 }), jsonLeg({ a: 1 }, { status: 500 }), options())
  assert.deepEqual(divergence?.status, { reference: 200, candidate: 500 })
  assert.equal(divergence?.body, undefined)
  assert.equal(divergence?.headers, undefined)
})

test('status and body differences are reported together', () => {
  const divergence = compare(jsonLeg({ a: 1 }), jsonLeg({ a: 2 }, { status: 404 }), options())
  assert.deepEqual(divergence?.status, { reference: 200, candidate: 404 })
  assert.deepEqual(divergence?.body?.paths, [{ path: '$.a', reference: 1, candidate: 2, change: 'value' }])
})

test('ignoreStatus: a status difference alone is equal, bodies are still compared', () => {
  assert.equal(
    compare(jsonLeg({ a: 1 }), jsonLeg({ a: 1 }, { status: 500 }), options({ ignoreStatus: true })),
    null,
  )
  const divergence = compare(
    jsonLeg({ a: 1 }),
    jsonLeg({ a: 2 }, { status: 500 }),
    options({ ignoreStatus: true }),
  )
  assert.equal(divergence?.status, undefined)
  assert.equal(divergence?.body?.kind, 'json')
})
