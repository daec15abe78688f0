import assert from 'node:assert/strict'
import { test } from 'node:test'
import { configSchema, type SampleBy } from '../../src/config/schema.ts'
import { fnv1a, isSampled, stickyValue } from '../../src/shadow/sampling.ts'

const never = () => assert.fail('random must not be consulted')

test('fnv1a: known FNV-1a 32-bit vectors', () => {
  assert.equal(fnv1a(''), 0x811c9dc5)
  assert.equal(fnv1a('a'), 0xe40c292c)
  assert.equal(fnv1a('foobar'), 0xbf9cf968)
})

test('fnv1a is an unsigned 32-bit integer', () => {
  for (const s of ['', 'a', 'user-1', 'é', 'a much longer value with spaces']) {
    const h = fnv1a(s)
    assert.ok(Number.isInteger(h) && h >= 0 && h <= 0xffffffff, `${s} → ${h}`)
  }
})

test('rate 1 is always in and rate 0 always out, without consulting random', () => {
  for (const sticky of [undefined, 'user-1', '']) {
    assert.equal(isSampled(1, sticky, never), true)
    assert.equal(isSampled(0, sticky, never), false)
  }
})

test('uniform: in when the injected random is below the rate', () => {
  assert.equal(
    isSampled(0.3, undefined, () => 0.29),
    true,
  )
  assert.equal(
    isSampled(0.3, undefined, () => 0.3),
    false,
  )
  assert.equal(
    isSampled(0.3, undefined, () => 0.9),
    false,
  )
  assert.equal(
    isSampled(0.3, undefined, () => 0),
    true,
  )
})

test('sticky: the same value always gets the same decision, and random is not consulted', () => {
  for (let i = 0; i < 200; i++) {
    const id = `user-${i}`
    const first = isSampled(0.5, id, never)
    for (let k = 0; k < 5; k++) assert.equal(isSampled(0.5, id, never), first)
  }
})

test('sticky: the decision is monotonic in the rate', () => {
  const rates = [0.01, 0.05, 0.1, 0.2, 0.5, 0.9, 0.99]
  for (let i = 0; i < 2_000; i++) {
    const id = `id-${i}`
    for (let r = 0; r + 1 < rates.length; r++) {
      if (isSampled(rates[r]!, id))
        assert.ok(isSampled(rates[r + 1]!, id), `${id} in at ${rates[r]} but out above`)
    }
  }
})

test('sticky: about rate × N of 10,000 distinct ids are in', () => {
  const N = 10_000
  for (const rate of [0.01, 0.1, 0.5, 0.9]) {
    let inCount = 0
    for (let i = 0; i < N; i++) if (isSampled(rate, `user-${i}`)) inCount++
    // binomial σ = √(N·r·(1−r)) ≤ 50; allow about 5σ at 0.5 and a floor for small rates
    const tolerance = Math.max(40, 5 * Math.sqrt(N * rate * (1 - rate)))
    assert.ok(Math.abs(inCount - rate * N) <= tolerance, `rate ${rate}: ${inCount} of ${N} in`)
  }
})

function by(text: string): SampleBy {
  const parsed = configSchema.shape.sample_by.parse(text)
  assert.ok(parsed)
  return parsed
}

test('stickyValue header: the configured name matches whatever its case', () => {
  // Node hands headers over lower-cased; the config may name them in any case
  const headers = { 'x-user': 'u-42' }
  assert.equal(stickyValue(by('header:X-User'), headers, {}, ''), 'u-42')
  assert.equal(stickyValue(by('header:x-user'), headers, {}, ''), 'u-42')
})

test('stickyValue header: a repeated header keys on its first value', () => {
  const headers = { 'x-user': ['first', 'second'] } as unknown as Record<string, string>
  assert.equal(stickyValue({ kind: 'header', name: 'x-user' }, headers, {}, ''), 'first')
})

test('stickyValue cookie: the named cookie among several', () => {
  const cookie = 'theme=dark; session=abc123; other=x'
  assert.equal(stickyValue({ kind: 'cookie', name: 'session' }, { cookie }, {}, ''), 'abc123')
  assert.equal(stickyValue({ kind: 'cookie', name: 'theme' }, { cookie }, {}, ''), 'dark')
  assert.equal(stickyValue({ kind: 'cookie', name: 'other' }, { cookie }, {}, ''), 'x')
})

test('stickyValue cookie: a value containing "=" is kept whole, a name is not matched by prefix', () => {
  const cookie = 'sessionid=nope; session=a=b=c'
  assert.equal(stickyValue({ kind: 'cookie', name: 'session' }, { cookie }, {}, ''), 'a=b=c')
  assert.equal(stickyValue({ kind: 'cookie', name: 'sess' }, { cookie }, {}, ''), undefined)
})

test('stickyValue param: the named route parameter', () => {
  assert.equal(stickyValue({ kind: 'param', name: 'id' }, {}, { id: '7', other: '8' }, ''), '7')
})

test('stickyValue query: the named query parameter, decoded', () => {
  assert.equal(stickyValue({ kind: 'query', name: 'user' }, {}, {}, 'a=1&user=b%20c&z=2'), 'b c')
  assert.equal(stickyValue({ kind: 'query', name: 'user' }, {}, {}, 'user=first&user=second'), 'first')
})

test('stickyValue: undefined when the request does not carry the value', () => {
  assert.equal(stickyValue({ kind: 'header', name: 'x-user' }, {}, {}, ''), undefined)
  assert.equal(stickyValue({ kind: 'cookie', name: 'session' }, {}, {}, ''), undefined)
  assert.equal(stickyValue({ kind: 'cookie', name: 'session' }, { cookie: 'a=1; b=2' }, {}, ''), undefined)
  assert.equal(stickyValue({ kind: 'param', name: 'id' }, {}, {}, ''), undefined)
  assert.equal(stickyValue({ kind: 'query', name: 'user' }, {}, {}, 'other=1'), undefined)
})

test('a missing sticky value falls back to the uniform decision', () => {
  const value = stickyValue({ kind: 'header', name: 'x-user' }, {}, {}, '')
  let calls = 0
  assert.equal(
    isSampled(0.5, value, () => {
      calls++
      return 0.1
    }),
    true,
  )
  assert.equal(
    isSampled(0.5, value, () => {
      calls++
      return 0.7
    }),
    false,
  )
  assert.equal(calls, 2)
})
