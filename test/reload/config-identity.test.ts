import assert from 'node:assert/strict'
import { test } from 'node:test'
import { configHash, stableJson } from '../../src/reload/config-identity.ts'
import { testConfig } from '../helpers/proxy.ts'

test('stable JSON sorts keys at every level and leaves undefined members out', () => {
  assert.equal(
    stableJson({ b: 1, a: { d: [2, { f: 1, e: undefined }], c: null } }),
    '{"a":{"c":null,"d":[2,{"f":1}]},"b":1}',
  )
})

test('the config hash: equal for equal settings however written, different when a setting differs', () => {
  const a = testConfig({ sample: 0.5, routes: [{ path: '/a', ignore: ['$.x'] }] })
  const b = testConfig({ routes: [{ ignore: ['$.x'], path: '/a' }], sample: 0.5 })
  assert.match(configHash(a), /^[0-9a-f]{16}$/)
  assert.equal(configHash(a), configHash(b))
  assert.notEqual(
    configHash(a),
    configHash(testConfig({ sample: 0.4, routes: [{ path: '/a', ignore: ['$.x'] }] })),
  )
  // durations are compared as resolved: "2s" and 2000 are the same setting
  assert.equal(
    configHash(testConfig({ candidate_timeout: '2s' })),
    configHash(testConfig({ candidate_timeout: 2000 })),
  )
})

test('credentials are left out of the hash (it is served on /readyz to anyone)', () => {
  const one = testConfig({ kafka: { topic: 't', 'sasl.password': 'first-secret' } })
  const two = testConfig({ kafka: { topic: 't', 'sasl.password': 'second-secret' } })
  assert.equal(configHash(one), configHash(two))
  assert.notEqual(
    configHash(one),
    configHash(testConfig({ kafka: { topic: 'u', 'sasl.password': 'first-secret' } })),
  )
})
