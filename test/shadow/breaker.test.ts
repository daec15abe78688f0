import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Breaker, type BreakerState } from '../../src/shadow/breaker.ts'

const T0 = 1_000_000
const COOL_DOWN = 5_000

/** A breaker that records every state it reports. */
function breaker(failures = 3): { b: Breaker; changes: BreakerState[] } {
  const changes: BreakerState[] = []
  const b = new Breaker(failures, COOL_DOWN, (s) => changes.push(s))
  return { b, changes }
}

function open(b: Breaker, at = T0): void {
  for (let i = 0; i < b.failures; i++) b.failure(at)
  assert.equal(b.state, 'open')
}

test('a closed breaker lets everything through', () => {
  const { b, changes } = breaker()
  for (let i = 0; i < 10; i++) assert.equal(b.allow(T0), true)
  assert.equal(b.state, 'closed')
  assert.deepEqual(changes, [])
})

test('opens after N consecutive failures, not before', () => {
  const { b, changes } = breaker(3)
  b.failure(T0)
  b.failure(T0)
  assert.equal(b.state, 'closed')
  assert.equal(b.allow(T0), true)
  b.failure(T0)
  assert.equal(b.state, 'open')
  assert.equal(b.allow(T0), false)
  assert.deepEqual(changes, ['open'])
})

test('a success in between resets the count of consecutive failures', () => {
  const { b } = breaker(3)
  b.failure(T0)
  b.failure(T0)
  b.success()
  b.failure(T0)
  b.failure(T0)
  assert.equal(b.state, 'closed')
  b.failure(T0)
  assert.equal(b.state, 'open')
})

test('stays open for the cool-down, counted from the failure that opened it', () => {
  const { b } = breaker()
  open(b)
  assert.equal(b.allow(T0), false)
  assert.equal(b.allow(T0 + COOL_DOWN - 1), false)
  assert.equal(b.state, 'open')
  assert.equal(b.allow(T0 + COOL_DOWN), true)
  assert.equal(b.state, 'half_open')
})

test('half-open lets exactly one probe through', () => {
  const { b } = breaker()
  open(b)
  const after = T0 + COOL_DOWN
  assert.equal(b.allow(after), true)
  assert.equal(b.allow(after), false)
  assert.equal(b.allow(after + 10_000), false, 'still one probe, however late')
  assert.equal(b.state, 'half_open')
})

test('a successful probe closes the breaker', () => {
  const { b } = breaker()
  open(b)
  assert.equal(b.allow(T0 + COOL_DOWN), true)
  b.success()
  assert.equal(b.state, 'closed')
  assert.equal(b.allow(T0 + COOL_DOWN), true)
  assert.equal(b.allow(T0 + COOL_DOWN), true)
})

test('after closing, it takes N fresh failures to open again', () => {
  const { b } = breaker(3)
  open(b)
  b.allow(T0 + COOL_DOWN)
  b.success()
  b.failure(T0 + COOL_DOWN)
  b.failure(T0 + COOL_DOWN)
  assert.equal(b.state, 'closed')
  b.failure(T0 + COOL_DOWN)
  assert.equal(b.state, 'open')
})

test('a failed probe reopens the breaker for another cool-down', () => {
  const { b } = breaker()
  open(b)
  const probeAt = T0 + COOL_DOWN
  assert.equal(b.allow(probeAt), true)
  b.failure(probeAt)
  assert.equal(b.state, 'open')
  assert.equal(b.allow(probeAt + COOL_DOWN - 1), false)
  assert.equal(b.allow(probeAt + COOL_DOWN), true)
  assert.equal(b.state, 'half_open')
})

test('abandon frees the probe without a verdict', () => {
  const { b, changes } = breaker()
  open(b)
  const at = T0 + COOL_DOWN
  assert.equal(b.allow(at), true)
  assert.equal(b.allow(at), false)
  b.abandon()
  assert.equal(b.state, 'half_open')
  assert.equal(b.allow(at), true, 'another probe may go')
  assert.equal(b.allow(at), false, 'but still only one')
  assert.deepEqual(changes, ['open', 'half_open'])
})

test('failures = 0 never opens', () => {
  const { b, changes } = breaker(0)
  for (let i = 0; i < 1_000; i++) b.failure(T0 + i)
  assert.equal(b.state, 'closed')
  assert.equal(b.allow(T0), true)
  assert.deepEqual(changes, [])
})

test('failures = 1 opens on the first failure', () => {
  const { b } = breaker(1)
  b.failure(T0)
  assert.equal(b.state, 'open')
})

test('onChange is called once with each transition', () => {
  const { b, changes } = breaker(2)
  b.failure(T0)
  b.failure(T0) // closed → open
  b.failure(T0) // still open: no call
  b.allow(T0 + COOL_DOWN) // open → half_open
  b.allow(T0 + COOL_DOWN) // refused: no call
  b.failure(T0 + COOL_DOWN) // half_open → open
  b.allow(T0 + 2 * COOL_DOWN) // open → half_open
  b.success() // half_open → closed
  b.success() // closed: no call
  assert.deepEqual(changes, ['open', 'half_open', 'open', 'half_open', 'closed'])
})

test('the default onChange is a no-op', () => {
  const b = new Breaker(1, COOL_DOWN)
  b.failure(T0)
  assert.equal(b.allow(T0 + COOL_DOWN), true)
  b.success()
  assert.equal(b.state, 'closed')
})
