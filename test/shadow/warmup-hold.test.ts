import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { WarmupHold } from '../../src/shadow/warmup-hold.ts'

test('held pairs are judged in order on release; a full hold asks to judge at once', () => {
  const hold = new WarmupHold(2, 30_000)
  const judged: number[] = []
  assert.equal(
    hold.hold(() => judged.push(1)),
    true,
  )
  assert.equal(
    hold.hold(() => judged.push(2)),
    true,
  )
  assert.equal(
    hold.hold(() => judged.push(3)),
    false,
  )
  assert.equal(hold.size, 2)
  hold.release()
  assert.deepEqual(judged, [1, 2])
  assert.equal(hold.size, 0)
})

test('nothing waits longer than the hold allows', async () => {
  const hold = new WarmupHold(5, 30)
  let judged = false
  hold.hold(() => {
    judged = true
  })
  await sleep(80)
  assert.equal(judged, true)
})

test('a wait of 0 holds nothing: every pair is judged at once', () => {
  const hold = new WarmupHold(5, 0)
  assert.equal(
    hold.hold(() => {}),
    false,
  )
  assert.equal(hold.size, 0)
})
