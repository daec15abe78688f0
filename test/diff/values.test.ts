/** The shape classes of strings, instants and numbers behind comparison by meaning. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  asInstant,
  coarseClass,
  instantDelta,
  numericValue,
  relativeTime,
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

test('tokens: letter case is part of the class once a token is long enough not to miss a case by chance', () => {
  const ulid = '01M8TAG5SE8ART7EEABRHM4MJQ'
  assert.equal(stringClass(ulid), 'token:A9')
  assert.equal(stringClass(ulid.toLowerCase()), 'token:a9')
  assert.equal(stringClass('01M8TAG5SFXYEEA2Z5N58EMF6N'), stringClass(ulid))
  // random base64 with both cases is one class, digits or not
  assert.equal(stringClass('xXyhIoL6yTrYp2nhQm29xLpz'), 'token')
  assert.equal(stringClass('cs_live_TOzchMpSsYvLLW6l4Q0ijxXL'), 'token')
  assert.equal(stringClass('abcdEFGHijklMNOPqrstUVWX'), 'token')
  // short tokens: a random 16-character one without a lower-case letter is not rare enough
  assert.equal(stringClass('K8Q2ZP0X4MN7B1RT'), 'token')
  assert.equal(stringClass('k8q2zp0x4mn7b1rt'), 'token')
  // a place that showed tokens of more than one case takes any (coarse class `token`)
  for (const t of [ulid, ulid.toLowerCase(), 'xXyhIoL6yTrYp2nhQm29xLpz'])
    assert.equal(coarseClass(stringClass(t)), 'token')
})

test('relative times: offsets from now rounded to their unit, one class however far', () => {
  assert.deepEqual(relativeTime('just now'), { offsetMs: 0, unitMs: 60_000, short: false })
  assert.deepEqual(relativeTime('42 seconds ago'), { offsetMs: -42_000, unitMs: 1000, short: false })
  assert.deepEqual(relativeTime('an hour ago'), { offsetMs: -3_600_000, unitMs: 3_600_000, short: false })
  assert.deepEqual(relativeTime('1 minute ago'), { offsetMs: -60_000, unitMs: 60_000, short: false })
  assert.deepEqual(relativeTime('in 2 days'), { offsetMs: 172_800_000, unitMs: 86_400_000, short: false })
  assert.deepEqual(relativeTime('5m ago'), { offsetMs: -300_000, unitMs: 60_000, short: true })
  assert.deepEqual(relativeTime('3 hrs ago'), { offsetMs: -10_800_000, unitMs: 3_600_000, short: true })
  assert.equal(relativeTime('Yesterday')?.offsetMs, -86_400_000)
  for (const not of [
    '5 minutes',
    'in 5 minutes ago',
    'ago',
    '5 apples ago',
    '5 minutes later',
    'now and then',
  ])
    assert.equal(relativeTime(not), undefined, not)
  assert.equal(instantDelta('5 minutes ago', '10 hours ago'), 36_000_000 - 300_000)
  assert.equal(instantDelta('5 minutes ago', '2026-12-01T10:00:00Z'), undefined)
  const same = (a: string, b: string) => assert.equal(stringClass(a), stringClass(b), `${a} ~ ${b}`)
  same('just now', '17 minutes ago')
  same('an hour ago', '3 hours ago')
  assert.equal(stringClass('17 minutes ago'), 'relative')
  assert.equal(stringClass('5m ago'), 'relative:short')
  assert.equal(stringClass('17 Minutes ago'), '9 Aa a', 'not a relative time')
  assert.notEqual(stringClass('Just now'), stringClass('just now'))
  // the same "now" stamped twice; not another hour
  assert.ok(sameInstant('41 seconds ago', '42 seconds ago', 10))
  assert.ok(!sameInstant('5 minutes ago', '10 hours ago', 10))
  assert.ok(!sameInstant('5 minutes ago', '5m ago', 10), 'another format')
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
