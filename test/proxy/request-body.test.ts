import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { PassThrough, Readable } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import { test } from 'node:test'
import { readCapped } from '../../src/proxy/request-body.ts'
import { MemoryBudget } from '../../src/shadow/memory-budget.ts'

/** A byte stream (not object mode) that emits `chunks` one by one, then ends. */
function source(chunks: Buffer[]): Readable {
  let i = 0
  return new Readable({
    read() {
      this.push(i < chunks.length ? chunks[i++]! : null)
    },
  })
}

/** `total` random bytes cut into chunks of uneven sizes. */
function chunked(total: number, sizes = [1, 7, 100, 4096, 13]): { whole: Buffer; chunks: Buffer[] } {
  const whole = randomBytes(total)
  const chunks: Buffer[] = []
  for (let at = 0, k = 0; at < total; k++) {
    const n = Math.min(sizes[k % sizes.length]!, total - at)
    chunks.push(whole.subarray(at, at + n))
    at += n
  }
  return { whole, chunks }
}

test('under the cap: the whole body, with its bytes reserved', async () => {
  const budget = new MemoryBudget(1 << 20)
  const { whole, chunks } = chunked(10_000)
  const read = await readCapped(source(chunks), 20_000, budget)
  assert.equal(read.ok, true)
  assert.ok(read.ok)
  assert.ok(read.body.equals(whole))
  assert.equal(read.reserved, 10_000)
  assert.equal(budget.used, 10_000, 'the caller releases the reservation later')
})

test('a body of exactly the cap is buffered', async () => {
  const budget = new MemoryBudget(1 << 20)
  const { whole, chunks } = chunked(4_096)
  const read = await readCapped(source(chunks), 4_096, budget)
  assert.ok(read.ok)
  assert.ok(read.body.equals(whole))
})

test('an empty body is buffered as an empty buffer', async () => {
  const budget = new MemoryBudget(100)
  const read = await readCapped(source([]), 100, budget)
  assert.ok(read.ok)
  assert.equal(read.body.length, 0)
  assert.equal(read.reserved, 0)
  assert.equal(budget.used, 0)
})

test('over the cap: oversize, nothing stays reserved, and the stream yields the whole body byte-exact', async () => {
  const budget = new MemoryBudget(1 << 20)
  budget.tryReserve(123)
  const { whole, chunks } = chunked(50_000)
  const read = await readCapped(source(chunks), 10_000, budget)
  assert.equal(read.ok, false)
  assert.ok(!read.ok)
  assert.equal(read.reason, 'oversize')
  assert.equal(budget.used, 123, 'the budget is back to its prior value')
  const forwarded = await buffer(read.body)
  assert.equal(forwarded.length, whole.length)
  assert.ok(forwarded.equals(whole))
})

test('over the cap on the very first chunk: the whole body still comes back', async () => {
  const budget = new MemoryBudget(1 << 20)
  const whole = randomBytes(1_000)
  const read = await readCapped(source([whole]), 10, budget)
  assert.ok(!read.ok)
  assert.equal(read.reason, 'oversize')
  assert.ok((await buffer(read.body)).equals(whole))
  assert.equal(budget.used, 0)
})

test('over the cap while the client is still sending: the rest arrives through the returned stream', async () => {
  const budget = new MemoryBudget(1 << 20)
  const { whole, chunks } = chunked(30_000)
  const input = new PassThrough()
  // send just past the cap now; the rest only once readCapped has given up
  let sent = 0
  for (let bytes = 0; bytes <= 5_000; sent++) {
    input.write(chunks[sent])
    bytes += chunks[sent]!.length
  }
  const read = await readCapped(input, 4_000, budget)
  assert.ok(!read.ok)
  assert.equal(read.reason, 'oversize')
  const collected = buffer(read.body)
  for (; sent < chunks.length; sent++) {
    input.write(chunks[sent])
    if (sent % 5 === 0) await new Promise((r) => setImmediate(r))
  }
  input.end()
  assert.ok((await collected).equals(whole))
  assert.equal(budget.used, 0)
})

test('memory budget refusal: reason memory, whole body returned, budget back to its prior value', async () => {
  const budget = new MemoryBudget(5_000)
  budget.tryReserve(1_000)
  const { whole, chunks } = chunked(20_000)
  const read = await readCapped(source(chunks), 1 << 20, budget)
  assert.ok(!read.ok)
  assert.equal(read.reason, 'memory')
  assert.equal(budget.used, 1_000)
  assert.ok((await buffer(read.body)).equals(whole))
})

test('the cap is checked before the budget: a body over both is oversize', async () => {
  const budget = new MemoryBudget(10)
  const read = await readCapped(source([randomBytes(100)]), 50, budget)
  assert.ok(!read.ok)
  assert.equal(read.reason, 'oversize')
})

test('a stream error while buffering rejects and releases what was reserved', async () => {
  const budget = new MemoryBudget(1 << 20)
  budget.tryReserve(7)
  const input = new PassThrough()
  const pending = readCapped(input, 1 << 20, budget)
  input.write(randomBytes(500))
  input.write(randomBytes(500))
  await new Promise((r) => setImmediate(r))
  assert.equal(budget.used, 1_007, 'the chunks read so far are reserved')
  const boom = new Error('client went away')
  input.destroy(boom)
  await assert.rejects(pending, (err) => err === boom)
  assert.equal(budget.used, 7)
})

test('a body that stops arriving is given up at the deadline, its reservation released', async () => {
  const budget = new MemoryBudget(1 << 20)
  const stream = new PassThrough()
  stream.write(Buffer.alloc(100))
  await assert.rejects(readCapped(stream, 10_000, budget, 50), (err: unknown) => {
    assert.equal((err as { code?: string }).code, 'MIFFY_BODY_TIMEOUT')
    return true
  })
  assert.equal(budget.used, 0)
  // a late chunk is neither read nor reserved
  stream.write(Buffer.alloc(100))
  assert.equal(budget.used, 0)
})

test('a body that arrives in time is read whole; the deadline does not fire later', async () => {
  const budget = new MemoryBudget(1 << 20)
  const { whole, chunks } = chunked(5_000)
  const read = await readCapped(source(chunks), 10_000, budget, 60_000)
  assert.ok(read.ok)
  assert.ok(read.body.equals(whole))
})
