/**
 * Nothing is lost silently: under concurrent load, with a candidate that hangs, resets, fails,
 * answers differently or too big, and tight limits, every request that matched an experiment
 * ends in exactly one counted outcome, every client gets the reference's answer, and every
 * buffered byte and limiter slot is given back.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import { OUTCOMES } from '../../src/shadow/outcome.ts'
import { startProxy } from '../helpers/proxy.ts'
import { json, startUpstream } from '../helpers/upstream.ts'

/** deterministic, so a failure reproduces */
function prng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return seed / 0x7fffffff
  }
}

test('outcome identity under load with faults', async (t) => {
  const reference = await startUpstream(t, (req, res) => {
    if (req.url!.includes('refdown')) return req.socket.destroy()
    json(200, { id: req.url, ok: true })(req, res, Buffer.alloc(0))
  })
  const random = prng(42)
  const candidate = await startUpstream(t, async (req, res) => {
    const r = random()
    if (r < 0.15) return new Promise(() => {}) // hangs until candidate_timeout
    if (r < 0.3) return req.socket.destroy()
    if (r < 0.45) return json(500, { error: 'x' })(req, res, Buffer.alloc(0))
    if (r < 0.55) return json(200, { big: 'y'.repeat(5000) })(req, res, Buffer.alloc(0))
    if (r < 0.7) await new Promise((resolve) => setTimeout(resolve, 20))
    json(200, { id: req.url, ok: r < 0.9 })(req, res, Buffer.alloc(0))
  })
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    candidate_timeout: 300,
    max_body_bytes: 4096,
    breaker_failures: 0,
    routes: [
      { path: '/a/{id}', max_in_flight: 4, queue: 4 },
      { path: '/b/{id}', sample: 0.5, methods: ['GET'] },
    ],
  })
  const N = 300
  const CONCURRENCY = 20
  let next = 0
  const statuses: number[] = []
  const worker = async () => {
    while (next < N) {
      const i = next++
      const route = i % 2 === 0 ? 'a' : 'b'
      const id = i % 37 === 0 ? `refdown-${i}` : String(i)
      const method = i % 5 === 0 ? 'POST' : 'GET'
      const res = await request(`${proxy.url}/${route}/${id}`, {
        method,
        body: method === 'POST' ? 'p' : null,
      })
      const text = await res.body.text()
      statuses.push(res.statusCode)
      if (res.statusCode === 200) assert.deepEqual(JSON.parse(text), { id: `/${route}/${id}`, ok: true })
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  await proxy.settled()

  assert.equal(statuses.length, N)
  assert.ok(statuses.every((s) => s === 200 || s === 502))
  const a = proxy.outcomes('/a/{id}')
  const b = proxy.outcomes('/b/{id}')
  const sum = (o: Record<string, number>) => OUTCOMES.reduce((acc, k) => acc + (o[k] ?? 0), 0)
  assert.equal(sum(a) + sum(b), N, JSON.stringify({ a, b }))
  // the faults really happened
  for (const outcome of [
    'equal',
    'diverged',
    'candidate_timeout',
    'candidate_error',
    'reference_error',
  ] as const) {
    assert.ok((a[outcome] ?? 0) + (b[outcome] ?? 0) > 0, `${outcome} occurred: ${JSON.stringify({ a, b })}`)
  }
  assert.ok((b.sampled_out ?? 0) > 0 && (b.method_skipped ?? 0) > 0)
  // and the same identity on /metrics
  const metrics = await (await request(`${proxy.managementUrl}/metrics`)).body.text()
  let fromMetrics = 0
  for (const m of metrics.matchAll(/^miffy_experiment_outcomes_total\{.*\} (\d+)$/gm))
    fromMetrics += Number(m[1])
  assert.equal(fromMetrics, N)
  // bounded: everything given back
  assert.equal(proxy.app.ctx.budget.used, 0)
})
