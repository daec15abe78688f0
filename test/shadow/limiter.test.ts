import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Limiter, type Ticket } from '../../src/shadow/limiter.ts'

/** Long enough never to fire during a test; the timers are unref'd by the limiter. */
const NO_DEADLINE = 60_000

/** Whether a promise has settled yet, without waiting for it. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  const marker = Symbol('pending')
  return (await Promise.race([p, Promise.resolve(marker)])) !== marker
}

test('slots are granted at once up to maxInFlight', async () => {
  const limiter = new Limiter(3, 0)
  const tickets = [limiter.enter(NO_DEADLINE), limiter.enter(NO_DEADLINE), limiter.enter(NO_DEADLINE)]
  for (const t of tickets) {
    assert.ok(t)
    assert.equal(await t.ready, true)
  }
  assert.equal(limiter.inFlight, 3)
  assert.equal(limiter.queued, 0)
  for (const t of tickets) t?.release()
})

test('beyond maxInFlight tickets queue up to maxQueue, then enter returns undefined', async () => {
  const limiter = new Limiter(1, 2)
  const held = limiter.enter(NO_DEADLINE)
  const q1 = limiter.enter(NO_DEADLINE)
  const q2 = limiter.enter(NO_DEADLINE)
  assert.ok(held && q1 && q2)
  assert.equal(limiter.inFlight, 1)
  assert.equal(limiter.queued, 2)
  assert.equal(await settled(q1.ready), false, 'a queued ticket is not granted yet')
  assert.equal(limiter.enter(NO_DEADLINE), undefined)
  assert.equal(limiter.queued, 2, 'a refused entry takes no queue place')
  q2.release()
  q1.release()
  held.release()
})

test('maxQueue 0: no queue at all', () => {
  const limiter = new Limiter(1, 0)
  const held = limiter.enter(NO_DEADLINE)
  assert.ok(held)
  assert.equal(limiter.enter(NO_DEADLINE), undefined)
  held.release()
  assert.equal(limiter.inFlight, 0)
})

test('a released slot goes to the oldest queued ticket (FIFO)', async () => {
  const limiter = new Limiter(1, 3)
  const held = limiter.enter(NO_DEADLINE)!
  const order: number[] = []
  const queued = [1, 2, 3].map((n) => {
    const t = limiter.enter(NO_DEADLINE)!
    void t.ready.then((ok) => ok && order.push(n))
    return t
  })
  held.release()
  await sleep(0)
  assert.deepEqual(order, [1])
  assert.equal(limiter.inFlight, 1, 'the slot is handed over, not freed and retaken')
  assert.equal(limiter.queued, 2)
  queued[0]!.release()
  await sleep(0)
  queued[1]!.release()
  await sleep(0)
  assert.deepEqual(order, [1, 2, 3])
  queued[2]!.release()
  assert.equal(limiter.inFlight, 0)
  assert.equal(limiter.queued, 0)
})

test("a queued ticket's ready resolves false after its deadline and it leaves the queue", async () => {
  const limiter = new Limiter(1, 1)
  const held = limiter.enter(NO_DEADLINE)!
  const waiting = limiter.enter(20)!
  assert.equal(limiter.queued, 1)
  assert.equal(await waiting.ready, false)
  assert.equal(limiter.queued, 0)
  // its place is free again, and the slot it never got is not handed to it later
  const next = limiter.enter(NO_DEADLINE)
  assert.ok(next)
  held.release()
  assert.equal(await next.ready, true)
  waiting.release()
  assert.equal(limiter.inFlight, 1, 'releasing the timed-out ticket frees nothing')
  next.release()
  assert.equal(limiter.inFlight, 0)
})

test('release is idempotent for a held slot', () => {
  const limiter = new Limiter(2, 1)
  const a = limiter.enter(NO_DEADLINE)!
  const b = limiter.enter(NO_DEADLINE)!
  a.release()
  a.release()
  a.release()
  assert.equal(limiter.inFlight, 1, 'a second release must not free another ticket’s slot')
  b.release()
  assert.equal(limiter.inFlight, 0)
})

test('release is idempotent for a granted queued ticket', async () => {
  const limiter = new Limiter(1, 2)
  const held = limiter.enter(NO_DEADLINE)!
  const q = limiter.enter(NO_DEADLINE)!
  const other = limiter.enter(NO_DEADLINE)!
  held.release()
  assert.equal(await q.ready, true)
  q.release()
  assert.equal(await other.ready, true)
  q.release()
  assert.equal(limiter.inFlight, 1, "a second release must not take other's slot")
  other.release()
  assert.equal(limiter.inFlight, 0)
})

test('releasing a queued ticket frees its queue place and resolves it false', async () => {
  const limiter = new Limiter(1, 1)
  const held = limiter.enter(NO_DEADLINE)!
  const q = limiter.enter(NO_DEADLINE)!
  assert.equal(limiter.enter(NO_DEADLINE), undefined)
  q.release()
  assert.equal(await q.ready, false)
  assert.equal(limiter.queued, 0)
  const again = limiter.enter(NO_DEADLINE)
  assert.ok(again, 'the freed place can be taken')
  held.release()
  assert.equal(await again.ready, true, 'the slot skips the released ticket')
  again.release()
  assert.equal(limiter.inFlight, 0)
})

/** mulberry32: a small seeded PRNG, so a failing sequence can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

test('randomized enter/release/timeout sequences leave no slot or queue place behind', async () => {
  for (const seed of [1, 2, 3, 42, 1234]) {
    const random = mulberry32(seed)
    const maxInFlight = 1 + Math.floor(random() * 4)
    const maxQueue = Math.floor(random() * 4)
    const limiter = new Limiter(maxInFlight, maxQueue)
    const live: Ticket[] = []
    let granted = 0
    for (let step = 0; step < 300; step++) {
      const r = random()
      if (r < 0.45) {
        // short deadlines now and then, so some queued tickets time out
        const t = limiter.enter(random() < 0.2 ? 1 : NO_DEADLINE)
        if (t) {
          live.push(t)
          void t.ready.then((ok) => {
            if (ok) granted++
          })
        } else {
          assert.equal(limiter.inFlight, maxInFlight, `seed ${seed} step ${step}: refused with a free slot`)
          assert.equal(limiter.queued, maxQueue, `seed ${seed} step ${step}: refused with a free place`)
        }
      } else if (r < 0.85 && live.length > 0) {
        const i = Math.floor(random() * live.length)
        const t = live[i]!
        t.release()
        if (random() < 0.3) t.release()
        live.splice(i, 1)
      } else {
        await sleep(random() < 0.5 ? 0 : 2)
      }
      assert.ok(limiter.inFlight <= maxInFlight, `seed ${seed} step ${step}: inFlight over the cap`)
      assert.ok(limiter.queued <= maxQueue, `seed ${seed} step ${step}: queue over the cap`)
      assert.ok(limiter.inFlight >= 0 && limiter.queued >= 0)
    }
    for (const t of live) t.release()
    await sleep(0)
    assert.equal(limiter.inFlight, 0, `seed ${seed}: slots leaked`)
    assert.equal(limiter.queued, 0, `seed ${seed}: queue places leaked`)
    assert.ok(granted > 0, `seed ${seed}: the sequence granted something`)
  }
})
