/**
 * kafkajs 2.2.4 keeps a 1 ms timer loop running on every broker connection, busy or idle
 * (tulios/kafkajs#1704, #1556; the TimeoutNegativeWarning of #1751 is its symptom on Node ≥ 23):
 * `RequestQueue.scheduleCheckPendingRequests` re-arms itself after every check with
 * `throttledUntil - Date.now()`, which is negative unless the broker throttles us, and Node runs a
 * negative timeout after 1 ms. Measured on miffy idle with one broker connection: about 1,400
 * wake-ups and 28 ms of CPU per second, against none without Kafka (BENCHMARKS.md, issue 13).
 *
 * kafkajs is unmaintained, so the fix is applied here, once, to its RequestQueue class: a check
 * is scheduled only when requests are waiting (at the end of the throttle, or after the usual
 * 10 ms when merely too many are in flight). Nothing is lost by not polling an empty queue:
 * `push()` schedules a check when it enqueues, and every answer from the broker checks again.
 */
import { createRequire } from 'node:module'

/** kafkajs's interval for re-checking a queue held back by max in-flight requests */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10

/** The part of kafkajs's RequestQueue this touches (src/network/requestQueue/index.js). */
export interface RequestQueueLike {
  pending: unknown[]
  throttledUntil: number
  throttleCheckTimeoutId: NodeJS.Timeout | null
  checkPendingRequests(): void
  scheduleCheckPendingRequests(): void
}

/** kafkajs's method, fixed: no timer while nothing waits. */
export function scheduleCheckPendingRequests(this: RequestQueueLike): void {
  if (this.throttleCheckTimeoutId || this.pending.length === 0) return
  const untilUnthrottled = this.throttledUntil - Date.now()
  this.throttleCheckTimeoutId = setTimeout(
    () => {
      this.throttleCheckTimeoutId = null
      this.checkPendingRequests()
    },
    untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_INTERVAL_MS,
  )
}

let applied: boolean | undefined

/**
 * Replaces the method on kafkajs's class (the module kafkajs itself loads: one file, one
 * require cache entry). Returns false, changing nothing, when kafkajs no longer has that shape.
 */
export function fixKafkajsIdleLoop(): boolean {
  if (applied !== undefined) return applied
  try {
    const require = createRequire(import.meta.url)
    const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as {
      prototype: Partial<RequestQueueLike>
    }
    const proto = RequestQueue.prototype
    applied =
      typeof proto.scheduleCheckPendingRequests === 'function' &&
      typeof proto.checkPendingRequests === 'function'
    if (applied) proto.scheduleCheckPendingRequests = scheduleCheckPendingRequests
  } catch {
    applied = false
  }
  return applied
}
