import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Registry } from 'prom-client'
import type { Divergence } from '../../src/diff/model.ts'
import { createMetrics } from '../../src/management/metrics.ts'
import { Ledger } from '../../src/shadow/ledger.ts'
import { OUTCOMES, type Outcome } from '../../src/shadow/outcome.ts'

const ROUTE = '/api/{id}'

/** A ledger wired to a metrics registry as app.ts wires it. */
function ledger(): { ledger: Ledger; registry: Registry } {
  const registry = new Registry()
  const metrics = createMetrics(registry)
  const l = new Ledger((route, role) => metrics.upstreamDuration.labels(route, role))
  metrics.sources.outcomes = () => l.counts()
  return { ledger: l, registry }
}

function divergence(fingerprint: string): Divergence {
  return { status: { reference: 200, candidate: 500 }, fingerprint }
}

function routeSummary(l: Ledger, route = ROUTE, top?: number) {
  const found = l.summary(top).routes.find((r) => r.route === route)
  assert.ok(found, `${route} is in the summary`)
  return found
}

/** The value of one labelled series of a counter on the registry (0 when absent). */
async function counterValue(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = registry.getSingleMetric(name)
  assert.ok(metric, `${name} is registered`)
  const { values } = await metric.get()
  const match = values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))
  return match?.value ?? 0
}

test('a declared route is in the summary with every count at zero', () => {
  const { ledger: l } = ledger()
  l.declare(ROUTE)
  const s = routeSummary(l)
  assert.equal(s.matched, 0)
  assert.equal(s.sampled, 0)
  assert.deepEqual(Object.keys(s.outcomes).sort(), [...OUTCOMES].sort())
  for (const o of OUTCOMES) assert.equal(s.outcomes[o], 0)
  assert.deepEqual(s.latency_ms.reference, { p50: null, p99: null, samples: 0 })
  assert.deepEqual(s.status_transitions, {})
  assert.deepEqual(s.top_fingerprints, [])
})

test('an empty ledger has no routes', () => {
  assert.deepEqual(ledger().ledger.summary(), { routes: [] })
})

test('outcome counts sum to matched, and the summary fields agree with them', () => {
  const { ledger: l } = ledger()
  const counts: Partial<Record<Outcome, number>> = {
    sampled_out: 7,
    method_skipped: 2,
    equal: 5,
    diverged: 3,
    dropped_queue_full: 1,
    dropped_oversize: 1,
    dropped_memory: 1,
    dropped_body_timeout: 2,
    circuit_open: 4,
    candidate_timeout: 2,
    candidate_error: 1,
    reference_error: 1,
    client_aborted: 1,
    upgrade_not_mirrored: 1,
  }
  for (const [o, n] of Object.entries(counts)) for (let i = 0; i < n; i++) l.outcome(ROUTE, o as Outcome)
  const s = routeSummary(l)
  const total = Object.values(counts).reduce((a, b) => a + b, 0)
  assert.equal(s.matched, total)
  assert.equal(
    Object.values(s.outcomes).reduce((a, b) => a + b, 0),
    s.matched,
  )
  assert.deepEqual(s.outcomes, { ...Object.fromEntries(OUTCOMES.map((o) => [o, 0])), ...counts })
  assert.equal(s.sampled, total - 7 - 2)
  assert.equal(s.equal, 5)
  assert.equal(s.diverged, 3)
  assert.deepEqual(s.dropped, {
    dropped_queue_full: 1,
    dropped_oversize: 1,
    dropped_memory: 1,
    dropped_body_timeout: 2,
    circuit_open: 4,
    client_aborted: 1,
    upgrade_not_mirrored: 1,
  })
  // failed legs are published like divergences, so they are reported, not dropped
  assert.deepEqual(s.reported, {
    diverged: 3,
    candidate_timeout: 2,
    candidate_error: 1,
    reference_error: 1,
  })
  // every sampled request is accounted for exactly once
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0)
  assert.equal(s.equal + sum(s.reported) + sum(s.dropped), s.sampled)
})

test('routes are counted apart', () => {
  const { ledger: l } = ledger()
  l.outcome('/a', 'equal')
  l.outcome('/a', 'equal')
  l.outcome('/b', 'diverged')
  assert.equal(routeSummary(l, '/a').matched, 2)
  assert.equal(routeSummary(l, '/a').diverged, 0)
  assert.equal(routeSummary(l, '/b').matched, 1)
  assert.equal(routeSummary(l, '/b').diverged, 1)
})

test('the summary is a snapshot, not a live view', () => {
  const { ledger: l } = ledger()
  l.outcome(ROUTE, 'equal')
  const s = routeSummary(l)
  l.outcome(ROUTE, 'equal')
  assert.equal(s.outcomes.equal, 1)
})

test('percentiles: null without samples, the value itself with one sample', () => {
  const { ledger: l } = ledger()
  l.latency(ROUTE, 'reference', 12.3456)
  const s = routeSummary(l)
  assert.deepEqual(s.latency_ms.reference, { p50: 12.35, p99: 12.35, samples: 1 })
  assert.deepEqual(s.latency_ms.candidate, { p50: null, p99: null, samples: 0 })
})

test('percentiles sort numerically and keep reference and candidate apart', () => {
  const { ledger: l } = ledger()
  // as strings, "100" < "2" < "30"; numerically 2 < 30 < 100
  for (const ms of [100, 2, 30]) l.latency(ROUTE, 'candidate', ms)
  for (let i = 0; i < 5; i++) l.latency(ROUTE, 'reference', 7)
  const s = routeSummary(l)
  assert.deepEqual(s.latency_ms.candidate, { p50: 30, p99: 100, samples: 3 })
  assert.deepEqual(s.latency_ms.reference, { p50: 7, p99: 7, samples: 5 })
})

test('percentiles use the nearest rank: p50 of 1..100 is 50, p99 is 99, p50 of [10, 20] is 10', () => {
  // nearest rank: the p-th percentile is the ⌈p·n⌉-th smallest sample. Taking index ⌊p·n⌋
  // instead is one rank too high whenever p·n is whole: p99 of 100 samples becomes the maximum.
  const hundred = ledger().ledger
  for (let ms = 100; ms >= 1; ms--) hundred.latency(ROUTE, 'reference', ms)
  const { reference } = routeSummary(hundred).latency_ms
  assert.equal(reference.samples, 100)
  assert.deepEqual([reference.p50, reference.p99], [50, 99])

  const two = ledger().ledger
  two.latency(ROUTE, 'reference', 10)
  two.latency(ROUTE, 'reference', 20)
  assert.equal(routeSummary(two).latency_ms.reference.p50, 10)
})

test('percentiles cover a window of recent samples only', () => {
  const { ledger: l } = ledger()
  for (let i = 0; i < 5_000; i++) l.latency(ROUTE, 'reference', 1_000)
  for (let i = 0; i < 2_048; i++) l.latency(ROUTE, 'reference', 1)
  const { reference } = routeSummary(l).latency_ms
  assert.equal(reference.samples, 2_048)
  assert.equal(reference.p99, 1, 'the old slow samples have left the window')
})

test('status transitions are counted and listed most frequent first', () => {
  const { ledger: l } = ledger()
  l.transition(ROUTE, 200, 200)
  l.transition(ROUTE, 200, 500)
  l.transition(ROUTE, 200, 500)
  l.transition(ROUTE, 200, 'error')
  l.transition(ROUTE, 200, 500)
  l.transition(ROUTE, 'error', 200)
  const { status_transitions } = routeSummary(l)
  assert.deepEqual(status_transitions, { '200→500': 3, '200→200': 1, '200→error': 1, 'error→200': 1 })
  assert.deepEqual(Object.keys(status_transitions)[0], '200→500')
})

test('distinct status transitions are capped; known ones still count', () => {
  const { ledger: l } = ledger()
  for (let s = 0; s < 150; s++) l.transition(ROUTE, 200, 300 + s)
  l.transition(ROUTE, 200, 300)
  const t = routeSummary(l).status_transitions
  assert.equal(Object.keys(t).length, 100)
  assert.equal(t['200→300'], 2)
  assert.equal(t['200→449'], undefined)
})

test('top fingerprints: counted, most frequent first, with last_seen and the first example', () => {
  const { ledger: l } = ledger()
  l.divergence(ROUTE, 'id-1', divergence('a'), '2024-01-01T00:00:01Z')
  l.divergence(ROUTE, 'id-2', divergence('b'), '2024-01-01T00:00:02Z')
  l.divergence(ROUTE, 'id-3', divergence('b'), '2024-01-01T00:00:03Z')
  l.divergence(ROUTE, 'id-4', divergence('c'), '2024-01-01T00:00:04Z')
  l.divergence(ROUTE, 'id-5', divergence('b'), '2024-01-01T00:00:05Z')
  l.divergence(ROUTE, 'id-6', divergence('a'), '2024-01-01T00:00:06Z')
  const top = routeSummary(l).top_fingerprints
  assert.deepEqual(
    top.map((f) => [f.fingerprint, f.count]),
    [
      ['b', 3],
      ['a', 2],
      ['c', 1],
    ],
  )
  assert.equal(top[0]!.last_seen, '2024-01-01T00:00:05Z')
  assert.deepEqual(top[0]!.example, { id: 'id-2', divergence: divergence('b') })
})

test('top fingerprints: the list is cut to the requested length', () => {
  const { ledger: l } = ledger()
  for (let i = 0; i < 30; i++) l.divergence(ROUTE, `id-${i}`, divergence(`fp-${i}`), 't')
  assert.equal(routeSummary(l).top_fingerprints.length, 10, 'ten by default')
  assert.equal(routeSummary(l, ROUTE, 3).top_fingerprints.length, 3)
})

test('at 200 distinct fingerprints a new one evicts the rarest', () => {
  const { ledger: l } = ledger()
  for (let i = 0; i < 200; i++) {
    // fp-0 is seen once, fp-1 twice, the others three times
    const times = i === 0 ? 1 : i === 1 ? 2 : 3
    for (let k = 0; k < times; k++) l.divergence(ROUTE, `id-${i}-${k}`, divergence(`fp-${i}`), 't')
  }
  assert.equal(routeSummary(l, ROUTE, 1_000).top_fingerprints.length, 200)
  l.divergence(ROUTE, 'id-new', divergence('fp-new'), 't')
  const after = new Map(routeSummary(l, ROUTE, 1_000).top_fingerprints.map((f) => [f.fingerprint, f.count]))
  assert.equal(after.size, 200)
  assert.equal(after.has('fp-0'), false, 'the rarest is forgotten')
  assert.equal(after.get('fp-1'), 2)
  assert.equal(after.get('fp-new'), 1)
  // a known fingerprint only counts, it evicts nothing
  l.divergence(ROUTE, 'id-again', divergence('fp-1'), 't')
  const again = new Map(routeSummary(l, ROUTE, 1_000).top_fingerprints.map((f) => [f.fingerprint, f.count]))
  assert.equal(again.size, 200)
  assert.equal(again.get('fp-1'), 3)
  assert.equal(again.get('fp-new'), 1)
})

test('metrics: declare exposes every outcome at zero, outcome increments its series', async () => {
  const { ledger: l, registry } = ledger()
  l.declare(ROUTE)
  const name = 'miffy_experiment_outcomes_total'
  const { values } = await registry.getSingleMetric(name)!.get()
  assert.equal(values.length, OUTCOMES.length)
  for (const v of values) assert.equal(v.value, 0)
  l.outcome(ROUTE, 'diverged')
  l.outcome(ROUTE, 'diverged')
  l.outcome(ROUTE, 'equal')
  assert.equal(await counterValue(registry, name, { route: ROUTE, outcome: 'diverged' }), 2)
  assert.equal(await counterValue(registry, name, { route: ROUTE, outcome: 'equal' }), 1)
  assert.equal(await counterValue(registry, name, { route: ROUTE, outcome: 'sampled_out' }), 0)
})

test('metrics: outcome counters agree with the summary', async () => {
  const { ledger: l, registry } = ledger()
  const sequence: Outcome[] = ['equal', 'sampled_out', 'equal', 'candidate_timeout', 'client_aborted']
  for (const o of sequence) l.outcome(ROUTE, o)
  const s = routeSummary(l)
  for (const o of OUTCOMES) {
    const counted = await counterValue(registry, 'miffy_experiment_outcomes_total', {
      route: ROUTE,
      outcome: o,
    })
    assert.equal(counted, s.outcomes[o], o)
  }
})

test('metrics: latencies are observed in seconds by route and role', async () => {
  const { ledger: l, registry } = ledger()
  l.latency(ROUTE, 'reference', 250)
  l.latency(ROUTE, 'reference', 750)
  l.latency(ROUTE, 'candidate', 40)
  const name = 'miffy_upstream_duration_seconds'
  // a histogram's values carry the name of the series they belong to (_bucket, _sum, _count)
  const { values } = (await registry.getSingleMetric(name)!.get()) as {
    values: { metricName?: string; labels: Record<string, string | number>; value: number }[]
  }
  const pick = (role: string, metric: string) =>
    values.find((v) => v.metricName === metric && v.labels.role === role && v.labels.route === ROUTE)?.value
  assert.equal(pick('reference', `${name}_count`), 2)
  assert.equal(pick('reference', `${name}_sum`), 1)
  assert.equal(pick('candidate', `${name}_count`), 1)
  assert.ok(Math.abs(pick('candidate', `${name}_sum`)! - 0.04) < 1e-9)
})

test('two ledgers on two fresh registries do not share counts', async () => {
  const a = ledger()
  const b = ledger()
  a.ledger.outcome(ROUTE, 'equal')
  assert.equal(await counterValue(b.registry, 'miffy_experiment_outcomes_total', { outcome: 'equal' }), 0)
  assert.equal(await counterValue(a.registry, 'miffy_experiment_outcomes_total', { outcome: 'equal' }), 1)
})
