import assert from 'node:assert/strict'
import { test } from 'node:test'
import { divergenceOf as compare } from '../../src/diff/compare.ts'
import { jsonLeg, options } from './legs.ts'

function same(a: string, b: string): boolean {
  return compare(jsonLeg(a), jsonLeg(b), options()) === null
}

test('numbers compare by value: 1, 1.0, 1e0, 10E-1', () => {
  assert.ok(same('{"n":1}', '{"n":1.0}'))
  assert.ok(same('{"n":1}', '{"n":1e0}'))
  assert.ok(same('[1]', '[10E-1]'))
  assert.ok(same('0', '-0'))
  assert.ok(!same('{"n":1}', '{"n":1.5}'))
  assert.ok(!same('{"n":1}', '{"n":"1"}'))
})

test('different integers beyond 2^53 that round to the same double are different', () => {
  // both parse to 9007199254740992 as doubles
  const divergence = compare(
    jsonLeg('{"id":9007199254740993}'),
    jsonLeg('{"id":9007199254740992}'),
    options(),
  )
  assert.ok(divergence)
  assert.equal(divergence.body?.kind, 'json')
  assert.equal(divergence.body?.paths[0]?.path, '$.id')
  // the values are reported with their exact digits
  assert.equal(
    JSON.stringify(divergence.body?.paths),
    '[{"path":"$.id","reference":9007199254740993,"candidate":9007199254740992,"change":"value"}]',
  )
  assert.ok(!same('[12345678901234567890123]', '[12345678901234567890124]'))
  assert.ok(!same('[-9007199254740993]', '[-9007199254740992]'))
})

test('equal big integers are equal, however written', () => {
  assert.ok(same('{"id":123456789012345678901}', '{ "id": 123456789012345678901 }'))
  assert.ok(same('[9007199254740993]', '[9007199254740993 ]'))
  assert.ok(same('{"a":18446744073709551615,"b":1}', '{"b":1.0,"a":18446744073709551615}'))
  // 10^16 is exactly representable: the integer literal and the exponent form are the same number
  assert.ok(same('[10000000000000000]', '[1e16]'))
  // 10^16 + 1 is not: the exponent form rounds, the integer literal is exact
  assert.ok(!same('[10000000000000001]', '[1e16]'))
  assert.ok(!same('[1e16]', '[10000000000000001]'))
})

test('a big integer next to unchanged values only reports its own path', () => {
  const divergence = compare(
    jsonLeg('{"a":1.5,"b":[1,2],"id":18446744073709551615}'),
    jsonLeg('{"b":[1,2],"a":1.5,"id":18446744073709551614}'),
    options(),
  )
  assert.deepEqual(
    divergence?.body?.paths.map((p) => p.path),
    ['$.id'],
  )
})

test('digits inside strings do not change string comparison', () => {
  assert.ok(same('{"s":"12345678901234567890"}', '{"s":"12345678901234567890"}'))
  assert.ok(!same('{"s":"12345678901234567890"}', '{"s":12345678901234567890}'))
})
