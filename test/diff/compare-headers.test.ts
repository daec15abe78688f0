import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compare } from '../../src/diff/compare.ts'
import { jsonLeg, options, rawLeg } from './legs.ts'

test('headers are not compared unless named', () => {
  const a = rawLeg('x', { headers: { 'x-version': '1', date: 'Mon' } })
  const b = rawLeg('x', { headers: { 'x-version': '2', date: 'Tue' } })
  assert.equal(compare(a, b, options()), null)
  assert.deepEqual(compare(a, b, options({ compareHeaders: ['x-version'] }))?.headers, ['x-version'])
})

test('names are case-insensitive', () => {
  const a = rawLeg('x', { headers: { 'cache-control': 'no-store' } })
  const b = rawLeg('x', { headers: { 'cache-control': 'max-age=60' } })
  assert.deepEqual(compare(a, b, options({ compareHeaders: ['Cache-Control'] }))?.headers, ['cache-control'])
  assert.equal(compare(a, a, options({ compareHeaders: ['CACHE-CONTROL'] })), null)
})

test('a header present on one side only differs; absent on both is equal', () => {
  const a = rawLeg('x', { headers: { etag: '"1"' } })
  const b = rawLeg('x', { headers: {} })
  assert.deepEqual(compare(a, b, options({ compareHeaders: ['etag'] }))?.headers, ['etag'])
  assert.deepEqual(compare(b, a, options({ compareHeaders: ['etag'] }))?.headers, ['etag'])
  assert.equal(compare(b, b, options({ compareHeaders: ['etag', 'constructor', '__proto__'] })), null)
})

test('repeated values compare as ordered lists; one value equals a one-element list', () => {
  const cookies = (v: string | string[]) => rawLeg('x', { headers: { 'set-cookie': v } })
  const opts = options({ compareHeaders: ['set-cookie'] })
  assert.equal(compare(cookies(['a=1', 'b=2']), cookies(['a=1', 'b=2']), opts), null)
  assert.equal(compare(cookies('a=1'), cookies(['a=1']), opts), null)
  assert.equal(compare(cookies(['a=1']), cookies('a=1'), opts), null)
  assert.deepEqual(compare(cookies(['a=1', 'b=2']), cookies(['b=2', 'a=1']), opts)?.headers, ['set-cookie'])
  assert.deepEqual(compare(cookies(['a=1', 'b=2']), cookies(['a=1']), opts)?.headers, ['set-cookie'])
  assert.deepEqual(compare(cookies('a=1'), cookies(['a=1', 'a=1']), opts)?.headers, ['set-cookie'])
})

test('only differing names are listed, once, with body differences alongside', () => {
  const a = jsonLeg({ v: 1 }, { headers: { 'x-a': '1', 'x-b': '1' } })
  const b = jsonLeg({ v: 2 }, { headers: { 'x-a': '1', 'x-b': '2' } })
  const divergence = compare(a, b, options({ compareHeaders: ['x-a', 'x-b', 'X-B'] }))
  assert.deepEqual(divergence?.headers, ['x-b'])
  assert.equal(divergence?.body?.kind, 'json')
})
