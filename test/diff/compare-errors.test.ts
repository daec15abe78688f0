import assert from 'node:assert/strict'
import { test } from 'node:test'
import { divergenceOf as compare } from '../../src/diff/compare.ts'
import { failedLeg, jsonLeg, options } from './legs.ts'

test('a failed candidate is a divergence with its error word only', () => {
  const divergence = compare(jsonLeg({ a: 1 }), failedLeg('timeout'), options())
  assert.deepEqual(divergence?.error, { candidate: 'timeout' })
  assert.equal(divergence?.status, undefined)
  assert.equal(divergence?.body, undefined)
  assert.match(divergence!.fingerprint, /^[0-9a-f]{16}$/)
})

test('a failed reference is a divergence', () => {
  const divergence = compare(failedLeg('connection'), jsonLeg({ a: 1 }, { status: 500 }), options())
  assert.deepEqual(divergence?.error, { reference: 'connection' })
  assert.equal(divergence?.status, undefined)
})

test('both failed is a divergence, even with the same error', () => {
  const divergence = compare(failedLeg('timeout'), failedLeg('timeout'), options())
  assert.deepEqual(divergence?.error, { reference: 'timeout', candidate: 'timeout' })
})

test('the error words enter the fingerprint', () => {
  const fp = (a: string, b: string) => compare(jsonLeg(1), failedLeg(b), options({ route: a }))!.fingerprint
  assert.equal(fp('/r', 'timeout'), fp('/r', 'timeout'))
  assert.notEqual(fp('/r', 'timeout'), fp('/r', 'reset'))
  assert.notEqual(
    compare(failedLeg('timeout'), jsonLeg(1), options())!.fingerprint,
    compare(jsonLeg(1), failedLeg('timeout'), options())!.fingerprint,
  )
})
