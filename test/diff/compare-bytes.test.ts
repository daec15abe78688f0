import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compare } from '../../src/diff/compare.ts'
import { jsonLeg, options, rawLeg } from './legs.ts'

const html = { 'content-type': 'text/html' }
const bytesDifference = { kind: 'bytes', paths: [], truncated: false }

test('non-JSON bodies: equal bytes are equal, different bytes differ', () => {
  assert.equal(
    compare(rawLeg('<p>hi</p>', { headers: html }), rawLeg('<p>hi</p>', { headers: html }), options()),
    null,
  )
  assert.deepEqual(
    compare(rawLeg('<p>hi</p>', { headers: html }), rawLeg('<p>ho</p>', { headers: html }), options())?.body,
    bytesDifference,
  )
  assert.deepEqual(
    compare(rawLeg(Buffer.from([1, 2])), rawLeg(Buffer.from([1, 2, 0])), options())?.body,
    bytesDifference,
  )
})

test('JSON text without a JSON content type is compared as bytes', () => {
  const text = { 'content-type': 'text/plain' }
  assert.deepEqual(
    compare(rawLeg('{"a":1,"b":2}', { headers: text }), rawLeg('{"b":2,"a":1}', { headers: text }), options())
      ?.body,
    bytesDifference,
  )
})

test('JSON on one side and non-JSON on the other: bytes difference unless the bytes are equal', () => {
  assert.deepEqual(
    compare(jsonLeg({ a: 1 }), rawLeg('<html>', { headers: html }), options())?.body,
    bytesDifference,
  )
  assert.equal(compare(jsonLeg('{"a":1}'), rawLeg('{"a":1}', { headers: html }), options()), null)
})

test('a JSON content type with a body that does not parse is compared as bytes', () => {
  assert.deepEqual(compare(jsonLeg('{"a":1}'), jsonLeg('{"a":1'), options())?.body, bytesDifference)
  assert.deepEqual(compare(jsonLeg('{broken'), jsonLeg('{broken!'), options())?.body, bytesDifference)
})

test('empty bodies on both sides are equal; empty against non-empty differs', () => {
  assert.equal(compare(rawLeg(''), rawLeg(''), options()), null)
  assert.equal(compare(jsonLeg(''), jsonLeg(''), options()), null)
  assert.deepEqual(compare(jsonLeg(''), jsonLeg('{}'), options())?.body, bytesDifference)
})
