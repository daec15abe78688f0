/**
 * An open-loop load at a fixed rate, in its own process, that keeps every request's latency with
 * the time it was due: what the Kafka-recovery scenario needs to take the p99 of one stretch of a
 * run (the second after a broker comes back) rather than of the whole run, which wrk cannot.
 *
 *   node bench/paced-load.ts --url URL --rate 500 --connections 16 --out FILE [--max-seconds 300]
 *
 * Request i is due at start + i / rate, whether or not earlier ones have been answered (open
 * loop), and its latency runs from when it was due, so a stall shows in full instead of being
 * hidden by requests the stall kept from being sent (coordinated omission). It runs until
 * SIGTERM or --max-seconds, waits up to 10 s for the answers still due, and writes FILE:
 * `{ start, due[], latencyUs[], ok[] }` with `start` in epoch ms and `due` in ms from it.
 * Prints `{"msg":"paced load running"}` once the first request was answered.
 */
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { Pool } from 'undici'

export interface PacedSamples {
  /** epoch ms of request 0's due time */
  start: number
  /** ms after `start` each request was due */
  due: number[]
  /** from due to the last byte of the answer, µs */
  latencyUs: number[]
  /** a 2xx answer */
  ok: boolean[]
}

/** p99 (or another quantile) of the latencies of requests due within [fromMs, toMs) epoch ms. */
export function windowQuantile(
  s: PacedSamples,
  fromMs: number,
  toMs: number,
  q = 0.99,
): {
  value: number
  count: number
  errors: number
} {
  const xs: number[] = []
  let errors = 0
  for (let i = 0; i < s.due.length; i++) {
    const at = s.start + s.due[i]!
    if (at < fromMs || at >= toMs) continue
    xs.push(s.latencyUs[i]!)
    if (!s.ok[i]) errors++
  }
  xs.sort((a, b) => a - b)
  const value = xs.length === 0 ? Number.NaN : xs[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)]!
  return { value, count: xs.length, errors }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      rate: { type: 'string', default: '500' },
      connections: { type: 'string', default: '16' },
      out: { type: 'string' },
      'max-seconds': { type: 'string', default: '300' },
    },
  })
  if (!values.url || !values.out) {
    process.stderr.write('usage: node bench/paced-load.ts --url URL --rate N --connections N --out FILE\n')
    process.exit(2)
  }
  const url = new URL(values.url)
  const rate = Number(values.rate)
  const pool = new Pool(url.origin, {
    connections: Number(values.connections),
    pipelining: 1,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  })
  const path = url.pathname + url.search
  const s: PacedSamples = { start: Date.now(), due: [], latencyUs: [], ok: [] }
  const t0 = performance.now()
  let sent = 0
  let outstanding = 0
  let stopping = false
  let announced = false

  const fire = (i: number, dueAt: number) => {
    outstanding++
    s.due[i] = dueAt - t0
    pool
      .request({ path, method: 'GET' })
      .then(
        async (res) => {
          await res.body.dump()
          return res.statusCode >= 200 && res.statusCode < 300
        },
        () => false,
      )
      .then((ok) => {
        s.latencyUs[i] = (performance.now() - dueAt) * 1000
        s.ok[i] = ok
        outstanding--
        if (!announced) {
          announced = true
          process.stdout.write(`${JSON.stringify({ msg: 'paced load running', rate })}\n`)
        }
      })
  }

  // A 2 ms tick sends every request that has come due; timers are late under load, so it catches
  // up by count, not by tick.
  const tick = setInterval(() => {
    if (stopping) return
    const now = performance.now()
    const due = Math.floor(((now - t0) * rate) / 1000) + 1
    while (sent < due) {
      fire(sent, t0 + (sent * 1000) / rate)
      sent++
    }
  }, 2)

  const finish = async () => {
    if (stopping) return
    stopping = true
    clearInterval(tick)
    const deadline = performance.now() + 10_000
    while (outstanding > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    // Requests still unanswered count as failures at the time waited so far.
    for (let i = 0; i < sent; i++) {
      if (s.latencyUs[i] === undefined) {
        s.latencyUs[i] = (performance.now() - (t0 + s.due[i]!)) * 1000
        s.ok[i] = false
      }
    }
    writeFileSync(values.out!, JSON.stringify(s))
    await pool.destroy()
    process.exit(0)
  }
  process.once('SIGTERM', () => void finish())
  process.once('SIGINT', () => void finish())
  setTimeout(() => void finish(), Number(values['max-seconds']) * 1000).unref()
}

if (import.meta.main) await main()
