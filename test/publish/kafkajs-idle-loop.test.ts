/**
 * The fix for kafkajs's 1 ms idle timer loop (src/publish/kafkajs-idle-loop.ts): applied to the
 * class kafkajs itself uses, no timer while the queue is empty, a check when requests wait.
 */
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import {
  fixKafkajsIdleLoop,
  type RequestQueueLike,
  scheduleCheckPendingRequests,
} from '../../src/publish/kafkajs-idle-loop.ts'

function queue(pending: unknown[], throttledUntil = -1) {
  let checked: () => void = () => {}
  const checkedOnce = new Promise<void>((resolve) => {
    checked = resolve
  })
  const q: RequestQueueLike = {
    pending,
    throttledUntil,
    throttleCheckTimeoutId: null,
    checkPendingRequests() {
      checked()
    },
    scheduleCheckPendingRequests,
  }
  return { q, checkedOnce }
}

test("kafkajs's RequestQueue gets the fixed method", () => {
  assert.equal(fixKafkajsIdleLoop(), true)
  const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as {
    prototype: RequestQueueLike
  }
  assert.equal(RequestQueue.prototype.scheduleCheckPendingRequests, scheduleCheckPendingRequests)
})

test('an empty queue schedules no check (kafkajs re-armed a 1 ms timer forever)', () => {
  const { q } = queue([])
  q.scheduleCheckPendingRequests()
  assert.equal(q.throttleCheckTimeoutId, null)
})

test('waiting requests are checked again, throttled or not', async () => {
  for (const throttledUntil of [-1, Date.now() + 5]) {
    const { q, checkedOnce } = queue([{}], throttledUntil)
    q.scheduleCheckPendingRequests()
    assert.notEqual(q.throttleCheckTimeoutId, null)
    await checkedOnce
    assert.equal(q.throttleCheckTimeoutId, null)
  }
})
