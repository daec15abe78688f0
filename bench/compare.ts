/**
 * Micro-benchmark of `compare` (the per-request diff). Bounded to a few seconds:
 *
 *   node bench/compare.ts
 *
 * Prints ops/s and µs/op per case (best of 5 rounds of 100 ms, after a warm-up). The small body is a typical ~400-byte API response; the large
 * one is a ~100 KiB list. Three ignore patterns of different kinds are active throughout.
 */
import os from 'node:os'
import { divergenceOf } from '../src/diff/compare.ts'
import type { LegResult } from '../src/diff/model.ts'
import { compileRules } from '../src/diff/rules.ts'

/** per case: this many rounds of ROUND_MS, best round reported (the machine is shared and noisy) */
const ROUNDS = 5
const ROUND_MS = 100

const options = compileRules({
  route: '/api/orders/{id}',
  ignore: ['$.meta.timestamp', '$..requestId', '$.items[*].etag'],
  unordered: [],
  tolerance: {},
  matchBy: {},
  floatTolerance: 1e-9,
  compareHeaders: ['*'],
  ignoreHeaders: [],
  presenceHeaders: [],
  ignoreStatus: false,
  textMasks: [],
  maxDecodedBytes: 8 * 1024 * 1024,
  maxPaths: 20,
})

function leg(body: unknown): LegResult {
  return {
    ok: true,
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    durationMs: 1,
  }
}

function small(price: number, reversed = false) {
  const doc = {
    id: 'ord_8f3a2c',
    status: 'shipped',
    customer: { id: 42, name: 'Ada Lovelace', email: 'ada@example.com' },
    items: [
      { sku: 'A-1', qty: 2, price, etag: 'x1' },
      { sku: 'B-7', qty: 1, price: 4.5, etag: 'x2' },
    ],
    total: price * 2 + 4.5,
    meta: { timestamp: '2024-05-01T12:00:00Z', requestId: 'r-1' },
  }
  return reversed ? Object.fromEntries(Object.entries(doc).reverse()) : doc
}

function large(changed: number) {
  const items = Array.from({ length: 1000 }, (_, i) => ({
    id: i,
    sku: `SKU-${i.toString().padStart(6, '0')}`,
    name: `Item number ${i}`,
    price: i === changed ? -1 : (i * 7) % 1000,
    tags: ['a', 'b', 'c'],
    etag: `e${i}`,
  }))
  return { items, meta: { timestamp: 't', requestId: 'r' } }
}

const cases: [string, LegResult, LegResult][] = [
  ['equal small JSON (same bytes)', leg(small(10)), leg(small(10))],
  ['equal small JSON (key order differs)', leg(small(10)), leg(small(10, true))],
  ['differing small JSON', leg(small(10)), leg(small(11))],
  ['equal 100 KiB JSON (same bytes)', leg(large(-1)), leg(large(-1))],
  ['equal 100 KiB JSON (whitespace differs)', leg(large(-1)), leg(JSON.stringify(large(-1), null, 1))],
  ['differing 100 KiB JSON (one value)', leg(large(-1)), leg(large(350))],
]

let sink = 0
function run(reference: LegResult, candidate: LegResult, ms: number): { ops: number; usPerOp: number } {
  let iterations = 0
  let batch = 1
  const start = process.hrtime.bigint()
  const deadline = start + BigInt(ms) * 1_000_000n
  let now = start
  while (now < deadline) {
    for (let i = 0; i < batch; i++) if (divergenceOf(reference, candidate, options) !== null) sink++
    iterations += batch
    if (batch < 4096) batch *= 2
    now = process.hrtime.bigint()
  }
  const seconds = Number(now - start) / 1e9
  return { ops: iterations / seconds, usPerOp: (seconds * 1e6) / iterations }
}

console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.platform()}/${os.arch()}`)
console.log(
  `body sizes: small ${cases[0]![1].ok ? (cases[0]![1] as { body: Buffer }).body.length : 0} B, large ${(cases[3]![1] as { body: Buffer }).body.length} B`,
)
for (const [name, reference, candidate] of cases) {
  run(reference, candidate, 50) // warm-up
  let best = { ops: 0, usPerOp: Number.POSITIVE_INFINITY }
  for (let round = 0; round < ROUNDS; round++) {
    const result = run(reference, candidate, ROUND_MS)
    if (result.ops > best.ops) best = result
  }
  const ops = Math.round(best.ops).toLocaleString('en-US')
  console.log(`${name.padEnd(42)} ${ops.padStart(12)} ops/s ${best.usPerOp.toFixed(2).padStart(10)} µs/op`)
}
if (sink < 0) console.log(sink)
