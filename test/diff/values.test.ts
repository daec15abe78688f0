/** The shape classes of strings, instants and numbers behind comparison by meaning. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  asInstant,
  coarseClass,
  numericValue,
  sameInstant,
  sameNumber,
  stringClass,
} from '../../src/diff/values.ts'

test('shape classes: random values of one kind share a class, other kinds and bug markers do not', () => {
  const same = (a: string, b: string) => assert.equal(stringClass(a), stringClass(b), `${a} ~ ${b}`)
  const differ = (a: string, b: string) => assert.notEqual(stringClass(a), stringClass(b), `${a} !~ ${b}`)
  same(crypto.randomUUID(), crypto.randomUUID())
  same('2026-12-01T10:00:00.123Z', '2025-01-31T23:59:59.9Z')
  same('shop-api-7d9f8c6b5-x2k4q', 'shop-api-0a1b2c3d4-mm3zz')
  same('node-7', 'node-12')
  differ('2026-12-01T10:00:00Z', '2026-12-01T10:00:00+01:00')
  differ('2026-12-01T10:00:00Z', '2026-12-01')
  differ('Bearer', 'bearer')
  differ('12.50', '12.5')
  differ(crypto.randomUUID(), crypto.randomUUID().toUpperCase())
  for (const marker of ['', 'null', 'undefined', 'NaN', '[object Object]']) differ('abc', marker)
  assert.equal(
    coarseClass(stringClass('shop-api-7d9f8c6b5-abcde')),
    coarseClass(stringClass('shop-api-7d9f8c6b5-x2k4q')),
  )
})

test('instants: ISO strings, HTTP dates and epoch numbers in s, ms or µs', () => {
  const ms = Date.UTC(2026, 11, 1, 10, 0, 0)
  assert.equal(asInstant('2026-12-01T10:00:00Z'), ms)
  assert.equal(asInstant('Tue, 01 Dec 2026 10:00:00 GMT'), ms)
  assert.equal(asInstant(ms / 1000), ms)
  assert.equal(asInstant(ms), ms)
  assert.equal(asInstant(String(ms)), ms)
  assert.equal(asInstant(42), undefined)
  assert.ok(sameInstant(ms, ms + 40, 10))
  assert.ok(!sameInstant(ms, ms / 1000, 10_000), 'milliseconds and seconds are not the same field')
  assert.ok(!sameInstant('2026-12-01T10:00:00Z', '2026-12-01T10:00:00.000Z', 10), 'another format')
  assert.ok(!sameInstant(ms, ms + 3_600_000, 100))
})

test('numbers: integers exact, floats within the tolerance, a path tolerance absolute or relative', () => {
  assert.ok(!sameNumber(1, 2, 1e-9, undefined))
  assert.ok(sameNumber(0.1 + 0.2, 0.3, 1e-9, undefined))
  assert.ok(!sameNumber(0.1 + 0.2, 0.3, 0, undefined))
  assert.ok(sameNumber(100, 101, 0, { absolute: 1 }))
  assert.ok(sameNumber(100, 101, 0, { relative: 0.01 }))
  assert.ok(!sameNumber(100, 103, 0, { relative: 0.01 }))
  assert.equal(numericValue('4963'), 4963)
  assert.equal(numericValue('4963 items'), undefined)
})
