import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseDuration, parseSize } from '../../src/config/units.ts'

test('parseDuration: a number is milliseconds, rounded', () => {
  assert.equal(parseDuration(0), 0)
  assert.equal(parseDuration(500), 500)
  assert.equal(parseDuration(12.6), 13)
})

test('parseDuration: ms, s, m and h, with decimals and spaces', () => {
  assert.equal(parseDuration('500ms'), 500)
  assert.equal(parseDuration('2s'), 2000)
  assert.equal(parseDuration(' 2s '), 2000)
  assert.equal(parseDuration('1 ms'), 1)
  assert.equal(parseDuration('1.5m'), 90_000)
  assert.equal(parseDuration('1h'), 3_600_000)
  assert.equal(parseDuration('0.0005s'), 1)
})

test('parseDuration: a bare number as text is milliseconds; units in any case', () => {
  assert.equal(parseDuration('500'), 500)
  assert.equal(parseDuration('2S'), 2000)
  assert.equal(parseDuration('10MS'), 10)
})

test('parseDuration: undefined for what does not parse', () => {
  for (const bad of ['', 'soon', '1d', '-1s', 's', '1e3ms']) {
    assert.equal(parseDuration(bad), undefined, JSON.stringify(bad))
  }
  for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.equal(parseDuration(bad), undefined, String(bad))
  }
})

test('parseSize: a number is bytes, rounded down', () => {
  assert.equal(parseSize(0), 0)
  assert.equal(parseSize(1024), 1024)
  assert.equal(parseSize(100.9), 100)
})

test('parseSize: decimal and binary units, any case, optional unit and spaces', () => {
  assert.equal(parseSize('1024'), 1024)
  assert.equal(parseSize('1 b'), 1)
  assert.equal(parseSize('10 KB'), 10_000)
  assert.equal(parseSize('1KiB'), 1024)
  assert.equal(parseSize('1.5KiB'), 1536)
  assert.equal(parseSize('1MB'), 1_000_000)
  assert.equal(parseSize('1MiB'), 1_048_576)
  assert.equal(parseSize('1mib'), 1_048_576)
  assert.equal(parseSize('2gb'), 2_000_000_000)
  assert.equal(parseSize('1GiB'), 1024 ** 3)
})

test('parseSize: undefined for what does not parse', () => {
  for (const bad of ['', 'lots', 'B', '1TB', '-1KB', '1 K']) {
    assert.equal(parseSize(bad), undefined, JSON.stringify(bad))
  }
  for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.equal(parseSize(bad), undefined, String(bad))
  }
})
