/**
 * The books: every request that matches an experiment ends in exactly one outcome, recorded
 * here once. The management port reads them (Prometheus counters at scrape time, and the
 * per-route summary on /divergences/summary: counts, what became of published pairs, latency
 * percentiles, status transitions, top fingerprints).
 */
import type { Divergence } from '../diff/model.ts'
import type { Accepted, Delivery } from '../publish/sink.ts'
import { DROP_OUTCOMES, OUTCOMES, type Outcome, PUBLISHED_OUTCOMES } from './outcome.ts'

/** Where upstream durations go besides the ledger's own window (a Prometheus histogram). */
export interface LatencySeries {
  observe(seconds: number): void
}
export type LatencySeriesFactory = (route: string, role: 'reference' | 'candidate') => LatencySeries

/** What became of the pairs a route handed to the sink: the sink's answer, then the delivery. */
export const PUBLISH_RESULTS = [
  'queued',
  'dropped_full',
  'dropped_oversize',
  'dropped_closed',
  'published',
  'failed',
  'lost_on_shutdown',
] as const
export type PublishResult = (typeof PUBLISH_RESULTS)[number]

/** Recent durations kept per route and role for percentiles: a ring, so memory is fixed. */
const LATENCY_WINDOW = 2048
/** Distinct fingerprints remembered per route; beyond it the rarest are forgotten. */
const MAX_FINGERPRINTS = 200
/** Distinct status transitions remembered per route. */
const MAX_TRANSITIONS = 100

class Ring {
  #values = new Float64Array(LATENCY_WINDOW)
  #count = 0

  push(v: number): void {
    this.#values[this.#count % LATENCY_WINDOW] = v
    this.#count++
  }

  values(): number[] {
    return Array.from(this.#values.subarray(0, Math.min(this.#count, LATENCY_WINDOW)))
  }
}

function percentiles(values: readonly number[]): { p50: number | null; p99: number | null; samples: number } {
  const n = values.length
  if (n === 0) return { p50: null, p99: null, samples: 0 }
  const sorted = Float64Array.from(values).sort()
  // nearest rank: the ⌈q·n⌉-th smallest
  const at = (q: number) => Math.round(sorted[Math.max(0, Math.ceil(q * n) - 1)]! * 100) / 100
  return { p50: at(0.5), p99: at(0.99), samples: n }
}

/** One process's books in plain data: what workers send the primary, and what summaries merge. */
export interface LedgerSnapshot {
  routes: {
    route: string
    outcomes: Record<Outcome, number>
    publish: Record<PublishResult, number>
    reference: number[]
    candidate: number[]
    transitions: [string, number][]
    fingerprints: [string, FingerprintStat][]
  }[]
}

interface FingerprintStat {
  count: number
  example: { id: string; divergence: Divergence }
  lastSeen: string
}

class RouteStats {
  readonly outcomes: Record<Outcome, number> = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<
    Outcome,
    number
  >
  readonly publish: Record<PublishResult, number> = Object.fromEntries(
    PUBLISH_RESULTS.map((r) => [r, 0]),
  ) as Record<PublishResult, number>
  readonly reference = new Ring()
  readonly candidate = new Ring()
  readonly transitions = new Map<string, number>()
  readonly fingerprints = new Map<string, FingerprintStat>()
  /** histogram series, looked up once per route rather than on every request */
  durations: Record<'reference' | 'candidate', LatencySeries> | undefined
}

export class Ledger {
  readonly #series: LatencySeriesFactory
  readonly #routes = new Map<string, RouteStats>()

  constructor(series: LatencySeriesFactory = () => ({ observe() {} })) {
    this.#series = series
  }

  #stats(route: string): RouteStats {
    let s = this.#routes.get(route)
    if (!s) {
      s = new RouteStats()
      this.#routes.set(route, s)
    }
    return s
  }

  /** Registers a route up front so the summary and metrics list it before any traffic. */
  declare(route: string): void {
    this.#stats(route)
  }

  outcome(route: string, outcome: Outcome): void {
    this.#stats(route).outcomes[outcome]++
  }

  /** Per route, the count of each outcome: what miffy_experiment_outcomes_total reports. */
  *counts(): Iterable<{ route: string; counts: Readonly<Record<Outcome, number>> }> {
    for (const [route, s] of this.#routes) yield { route, counts: s.outcomes }
  }

  latency(route: string, role: 'reference' | 'candidate', ms: number): void {
    const s = this.#stats(route)
    s[role].push(ms)
    s.durations ??= {
      reference: this.#series(route, 'reference'),
      candidate: this.#series(route, 'candidate'),
    }
    s.durations[role].observe(ms / 1000)
  }

  /** What the sink answered when handed one of the route's pairs, or what later became of it. */
  publication(route: string, result: Accepted | Delivery): void {
    this.#stats(route).publish[result]++
  }

  /** Reference status × candidate status (`200→500`; `error` for a failed leg). */
  transition(route: string, reference: number | 'error', candidate: number | 'error'): void {
    const s = this.#stats(route)
    const key = `${reference}→${candidate}`
    if (!s.transitions.has(key) && s.transitions.size >= MAX_TRANSITIONS) return
    s.transitions.set(key, (s.transitions.get(key) ?? 0) + 1)
  }

  divergence(route: string, id: string, divergence: Divergence, at: string): void {
    const s = this.#stats(route)
    const known = s.fingerprints.get(divergence.fingerprint)
    if (known) {
      known.count++
      known.lastSeen = at
      return
    }
    if (s.fingerprints.size >= MAX_FINGERPRINTS) {
      let rarest: string | undefined
      let min = Number.POSITIVE_INFINITY
      for (const [fp, stat] of s.fingerprints) {
        if (stat.count < min) {
          min = stat.count
          rarest = fp
        }
      }
      if (rarest) s.fingerprints.delete(rarest)
    }
    s.fingerprints.set(divergence.fingerprint, { count: 1, example: { id, divergence }, lastSeen: at })
  }

  snapshot(): LedgerSnapshot {
    return {
      routes: [...this.#routes].map(([route, st]) => ({
        route,
        outcomes: { ...st.outcomes },
        publish: { ...st.publish },
        reference: st.reference.values(),
        candidate: st.candidate.values(),
        transitions: [...st.transitions],
        fingerprints: [...st.fingerprints],
      })),
    }
  }

  summary(topFingerprints = 10) {
    return summarize([this.snapshot()], topFingerprints)
  }
}

/** The per-route summary of one or more processes' books (counts add up; latencies pool). */
export function summarize(snapshots: readonly LedgerSnapshot[], topFingerprints = 10) {
  const merged = new Map<string, LedgerSnapshot['routes'][number]>()
  for (const snap of snapshots) {
    for (const r of snap.routes) {
      const m = merged.get(r.route)
      if (!m) {
        merged.set(r.route, {
          ...r,
          outcomes: { ...r.outcomes },
          publish: { ...r.publish },
          transitions: [...r.transitions],
          fingerprints: r.fingerprints.map(([fp, st]) => [fp, { ...st }]),
        })
        continue
      }
      for (const o of OUTCOMES) m.outcomes[o] += r.outcomes[o]
      for (const p of PUBLISH_RESULTS) m.publish[p] += r.publish[p]
      m.reference.push(...r.reference)
      m.candidate.push(...r.candidate)
      const t = new Map(m.transitions)
      for (const [k, v] of r.transitions) t.set(k, (t.get(k) ?? 0) + v)
      m.transitions = [...t]
      const f = new Map(m.fingerprints)
      for (const [fp, st] of r.fingerprints) {
        const known = f.get(fp)
        if (!known) f.set(fp, { ...st })
        else {
          known.count += st.count
          if (st.lastSeen > known.lastSeen) known.lastSeen = st.lastSeen
        }
      }
      m.fingerprints = [...f]
    }
  }
  const routes = []
  for (const r of merged.values()) {
    const matched = Object.values(r.outcomes).reduce((a, b) => a + b, 0)
    const dropped: Record<string, number> = {}
    const reported: Record<string, number> = {}
    for (const o of OUTCOMES) {
      if (DROP_OUTCOMES.has(o)) dropped[o] = r.outcomes[o]
      if (PUBLISHED_OUTCOMES.has(o)) reported[o] = r.outcomes[o]
    }
    const p = r.publish
    routes.push({
      route: r.route,
      matched,
      sampled: matched - r.outcomes.paused - r.outcomes.sampled_out - r.outcomes.method_skipped,
      equal: r.outcomes.equal,
      /** differed only where the route's learned noise explains it; not published by default */
      noise: r.outcomes.noise,
      diverged: r.outcomes.diverged,
      /** pairs published or to be published: divergences and failed legs, by outcome */
      reported,
      /** mirrors given up on our side, by outcome */
      dropped,
      /**
       * What became of the reported pairs: `not_published` counts those that never reached the
       * sink's destination (outbox full, too large, closed, retries exhausted, lost at shutdown).
       */
      publishing: {
        ...p,
        in_flight: Math.max(0, p.queued - p.published - p.failed - p.lost_on_shutdown),
        not_published: p.dropped_full + p.dropped_oversize + p.dropped_closed + p.failed + p.lost_on_shutdown,
      },
      outcomes: r.outcomes,
      latency_ms: { reference: percentiles(r.reference), candidate: percentiles(r.candidate) },
      status_transitions: Object.fromEntries([...r.transitions].sort((a, b) => b[1] - a[1])),
      top_fingerprints: [...r.fingerprints]
        .sort((a, b) => b[1].count - a[1].count)
        .slice(0, topFingerprints)
        .map(([fingerprint, stat]) => ({
          fingerprint,
          count: stat.count,
          last_seen: stat.lastSeen,
          example: stat.example,
        })),
    })
  }
  return { routes }
}
