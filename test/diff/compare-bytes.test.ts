import assert from 'node:assert/strict'
import { test } from 'node:test'
import { divergenceOf as compare } from '../../src/diff/compare.ts'
import { jsonLeg, options, rawLeg } from './legs.ts'

const html = { 'content-type': 'text/html' }
const png = { 'content-type': 'image/png' }
const bytesDifference = { kind: 'bytes', paths: [], truncated: false }

test('binary bodies: equal bytes are equal, different bytes differ as bytes', () => {
  assert.equal(
    compare(
      rawLeg(Buffer.from([1, 2]), { headers: png }),
      rawLeg(Buffer.from([1, 2]), { headers: png }),
      options(),
    ),
    null,
  )
  assert.deepEqual(
    compare(
      rawLeg(Buffer.from([1, 2]), { headers: png }),
      rawLeg(Buffer.from([1, 2, 0]), { headers: png }),
      options(),
    )?.body,
    bytesDifference,
  )
})

test('bytes that are not UTF-8 text are compared as bytes whatever the content type says', () => {
  const a = rawLeg(Buffer.from([0xff, 0xfe, 0x41]), { headers: html })
  const b = rawLeg(Buffer.from([0xff, 0xfe, 0x42]), { headers: html })
  assert.deepEqual(compare(a, b, options())?.body, bytesDifference)
})

test('text bodies are compared by tokens: the differing token, its line and what precedes it', () => {
  assert.equal(
    compare(rawLeg('<p>hi</p>', { headers: html }), rawLeg('<p>hi</p>', { headers: html }), options()),
    null,
  )
  const d = compare(rawLeg('<p>hi</p>', { headers: html }), rawLeg('<p>ho</p>', { headers: html }), options())
  assert.equal(d?.body?.kind, 'text')
  assert.deepEqual(d?.body?.paths, [
    { path: 'line 1 after "<p>"', reference: 'hi', candidate: 'ho', change: 'value' },
  ])
})

test('JSON text without a JSON content type is compared as text, not by value', () => {
  const text = { 'content-type': 'text/plain' }
  const d = compare(
    rawLeg('{"a":1,"b":2}', { headers: text }),
    rawLeg('{"b":2,"a":1}', { headers: text }),
    options(),
  )
  assert.equal(d?.body?.kind, 'text')
})

test('JSON against HTML: the content types differ, and the bodies as text', () => {
  const d = compare(jsonLeg({ a: 1 }), rawLeg('<html>', { headers: html }), options())
  assert.deepEqual(d?.headers, ['content-type'])
  assert.equal(d?.body?.kind, 'text')
})

test('the same bytes as JSON and as text/plain are a divergence in the content type (as in the Rust miffy)', () => {
  const d = compare(
    jsonLeg('{"a":1}'),
    rawLeg('{"a":1}', { headers: { 'content-type': 'text/plain' } }),
    options(),
  )
  assert.deepEqual(d?.headers, ['content-type'])
  assert.equal(d?.body, undefined)
})

test('a JSON content type with a body that does not parse is compared as text', () => {
  const d = compare(jsonLeg('{"a":1}'), jsonLeg('{"a":1'), options())
  assert.equal(d?.body?.kind, 'text')
  assert.equal(d?.body?.paths[0]?.change, 'missing')
})

test('empty bodies on both sides are equal; empty against non-empty differs', () => {
  assert.equal(compare(rawLeg(''), rawLeg(''), options()), null)
  assert.equal(compare(jsonLeg(''), jsonLeg(''), options()), null)
  assert.deepEqual(compare(jsonLeg(''), jsonLeg('{}'), options())?.body?.paths, [
    { path: 'line 1', candidate: '{ }', change: 'added' },
  ])
})
