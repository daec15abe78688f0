/**
 * The books: every request that matches an experiment ends in exactly one outcome, recorded
 * here once, both as a Prometheus counter and in the per-route summary served on
 * /divergences/summary (counts, latency percentiles, status transitions, top fingerprints).
 */
import type { Divergence } from '../diff/model.ts'
import { type Metrics, OUTCOMES, type Outcome } from '../management/metrics.ts'

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

  percentiles(): { p50: number | null; p99: number | null; samples: number } {
    const n = Math.min(this.#count, LATENCY_WINDOW)
    if (n === 0) return { p50: null, p99: null, samples: 0 }
    const sorted = this.#values.slice(0, n).sort()
    // nearest rank: the ⌈q·n⌉-th smallest
    const at = (q: number) => Math.round(sorted[Math.max(0, Math.ceil(q * n) - 1)]! * 100) / 100
    return { p50: at(0.5), p99: at(0.99), samples: n }
  }
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
  readonly reference = new Ring()
  readonly candidate = new Ring()
  readonly transitions = new Map<string, number>()
  readonly fingerprints = new Map<string, FingerprintStat>()
}

export class Ledger {
  readonly #metrics: Metrics
  readonly #routes = new Map<string, RouteStats>()

  constructor(metrics: Metrics) {
    this.#metrics = metrics
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
    for (const outcome of OUTCOMES) this.#metrics.outcomes.labels(route, outcome).inc(0)
  }

  outcome(route: string, outcome: Outcome): void {
    this.#stats(route).outcomes[outcome]++
    this.#metrics.outcomes.labels(route, outcome).inc()
  }

  latency(route: string, role: 'reference' | 'candidate', ms: number): void {
    const s = this.#stats(route)
    s[role].push(ms)
    this.#metrics.upstreamDuration.labels(route, role).observe(ms / 1000)
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

  summary(topFingerprints = 10) {
    const routes = []
    for (const [route, s] of this.#routes) {
      const matched = Object.values(s.outcomes).reduce((a, b) => a + b, 0)
      const dropped: Record<string, number> = {}
      for (const o of OUTCOMES) {
        if (
          o.startsWith('dropped_') ||
          o === 'circuit_open' ||
          o.startsWith('candidate_') ||
          o === 'reference_error'
        ) {
          dropped[o] = s.outcomes[o]
        }
      }
      routes.push({
        route,
        matched,
        sampled: matched - s.outcomes.sampled_out - s.outcomes.method_skipped,
        equal: s.outcomes.equal,
        diverged: s.outcomes.diverged,
        dropped,
        outcomes: { ...s.outcomes },
        latency_ms: { reference: s.reference.percentiles(), candidate: s.candidate.percentiles() },
        status_transitions: Object.fromEntries([...s.transitions].sort((a, b) => b[1] - a[1])),
        top_fingerprints: [...s.fingerprints]
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
}
