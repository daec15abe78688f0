import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CandidatePicker } from '../../src/shadow/candidate-picker.ts'

const QUARANTINE = 1_000
/** A wall-clock-like time: the picker is fed Date.now() in production. */
const T0 = 1_700_000_000_000

function picks(picker: CandidatePicker, n: number, now = T0): number[] {
  return Array.from({ length: n }, () => picker.pick(now))
}

test('round robin over every candidate', () => {
  const picker = new CandidatePicker(['a', 'b', 'c'], QUARANTINE)
  assert.deepEqual(picks(picker, 7), [0, 1, 2, 0, 1, 2, 0])
})

test('a single candidate is always picked', () => {
  const picker = new CandidatePicker(['only'], QUARANTINE)
  picker.failed(0, T0)
  assert.deepEqual(picks(picker, 3, T0 + 1), [0, 0, 0])
})

test('a candidate that failed within the quarantine is skipped', () => {
  const picker = new CandidatePicker(['a', 'b', 'c'], QUARANTINE)
  picker.failed(1, T0)
  assert.deepEqual(picks(picker, 4, T0 + 10), [0, 2, 0, 2])
})

test('a quarantined candidate comes back once the quarantine has passed', () => {
  const picker = new CandidatePicker(['a', 'b', 'c'], QUARANTINE)
  picker.failed(1, T0)
  assert.deepEqual(picks(picker, 2, T0 + QUARANTINE - 1), [0, 2])
  assert.deepEqual(picks(picker, 3, T0 + QUARANTINE), [0, 1, 2])
})

test('when every candidate is quarantined, rotation continues over all of them', () => {
  const picker = new CandidatePicker(['a', 'b', 'c'], QUARANTINE)
  for (let i = 0; i < 3; i++) picker.failed(i, T0)
  assert.deepEqual(picks(picker, 6, T0 + 1), [0, 1, 2, 0, 1, 2])
})

test('when every candidate is quarantined, rotation picks up where it was', () => {
  const picker = new CandidatePicker(['a', 'b', 'c'], QUARANTINE)
  assert.equal(picker.pick(T0), 0)
  for (let i = 0; i < 3; i++) picker.failed(i, T0)
  assert.deepEqual(picks(picker, 3, T0 + 1), [1, 2, 0])
})

test('succeeded clears the quarantine at once', () => {
  const picker = new CandidatePicker(['a', 'b'], QUARANTINE)
  picker.failed(0, T0)
  assert.deepEqual(picks(picker, 2, T0 + 1), [1, 1])
  picker.succeeded(0)
  assert.deepEqual(picks(picker, 2, T0 + 2), [0, 1])
})

test('a later failure restarts the quarantine', () => {
  const picker = new CandidatePicker(['a', 'b'], QUARANTINE)
  picker.failed(0, T0)
  picker.failed(0, T0 + 900)
  assert.deepEqual(picks(picker, 2, T0 + QUARANTINE), [1, 1])
  assert.deepEqual(picks(picker, 2, T0 + 900 + QUARANTINE), [0, 1])
})
