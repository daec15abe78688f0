import assert from 'node:assert/strict'
import { test } from 'node:test'
import { hasLongDigitRun } from '../../src/diff/content.ts'

test('hasLongDigitRun agrees with /\\d{16}/ at every offset and length', () => {
  const digits = '12345678901234567890'
  for (let prefix = 0; prefix < 40; prefix++) {
    for (let length = 12; length <= 20; length++) {
      for (const tail of ['', 'x', '}'.repeat(17)]) {
        const text = 'a'.repeat(prefix) + digits.slice(0, length) + tail
        assert.equal(hasLongDigitRun(text), /\d{16}/.test(text), JSON.stringify(text))
      }
    }
  }
  // runs separated by one non-digit never add up
  assert.equal(hasLongDigitRun('123456789012345.123456789012345'), false)
  assert.equal(hasLongDigitRun(''), false)
})

test('random texts agree with the regular expression', () => {
  let seed = 7
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    return seed / 2 ** 31
  }
  for (let k = 0; k < 2000; k++) {
    let text = ''
    const n = Math.floor(random() * 80)
    for (let i = 0; i < n; i++)
      text += random() < 0.85 ? String(Math.floor(random() * 10)) : ',.e-"'[Math.floor(random() * 5)]
    assert.equal(hasLongDigitRun(text), /\d{16}/.test(text), JSON.stringify(text))
  }
})
