/**
 * Every Prometheus metric of the proxy, on one registry served only on the management port.
 * Labels stay bounded: `route` is the route pattern (never the raw path), `outcome` and `role`
 * come from fixed lists.
 */
import { Counter, Gauge, Registry } from 'prom-client'
import { OUTCOMES, type Outcome } from '../shadow/outcome.ts'
import { ScrapedHistogram } from './scraped-histogram.ts'

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

/** Live state read when /metrics is scraped, so the request path never touches a gauge. */
export interface GaugeSources {
  limiters: () => Iterable<{ route: string; inFlight: number; queued: number }>
  bufferedBytes: () => number
  /** bytes of messages held by the divergence log */
  divergenceLogBytes: () => number
  /** per route, the count of each outcome (the Ledger's books) */
  outcomes: () => Iterable<{ route: string; counts: Readonly<Record<Outcome, number>> }>
  /** client answers by route pattern and status */
  requests: () => Iterable<{ route: string; status: number; count: number }>
  /** per route with a secondary: what its noise model holds and what it could not learn */
  noise: () => Iterable<{ route: string; samples: number; skipped: number; places: number; overflow: number }>
}

export function createMetrics(registry: Registry = new Registry()) {
  const sources: GaugeSources = {
    limiters: () => [],
    bufferedBytes: () => 0,
    divergenceLogBytes: () => 0,
    outcomes: () => [],
    requests: () => [],
    noise: () => [],
  }
  return {
    sources,
    registry,
    // The two counters below are counted in plain objects on the request path and copied in
    // when scraped: prom-client re-hashes the labels on every inc(), even on a cached child,
    // which cost about 6 µs per mirrored request (BENCHMARKS.md, profile).
    requests: new Counter({
      name: 'miffy_http_requests_total',
      help: 'Client requests answered by the proxy, by route pattern ("" outside experiments) and status',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
      collect() {
        this.reset()
        for (const r of sources.requests()) this.labels(r.route, String(r.status)).inc(r.count)
      },
    }),
    outcomes: new Counter({
      name: 'miffy_experiment_outcomes_total',
      help: 'Requests that matched an experiment, by the one outcome each ended in',
      labelNames: ['route', 'outcome'] as const,
      registers: [registry],
      collect() {
        this.reset()
        for (const { route, counts } of sources.outcomes()) {
          for (const o of OUTCOMES) this.labels(route, o).inc(counts[o])
        }
      },
    }),
    upstreamDuration: new ScrapedHistogram({
      name: 'miffy_upstream_duration_seconds',
      help: 'Time to a complete upstream response in experiments, by route and role',
      labelNames: ['route', 'role'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: 'miffy_candidate_in_flight',
      help: 'Candidate calls under way, by route',
      labelNames: ['route'] as const,
      registers: [registry],
      collect() {
        for (const l of sources.limiters()) this.labels(l.route).set(l.inFlight)
      },
    }),
    queued: new Gauge({
      name: 'miffy_candidate_queued',
      help: 'Mirrors waiting for a candidate slot, by route',
      labelNames: ['route'] as const,
      registers: [registry],
      collect() {
        for (const l of sources.limiters()) this.labels(l.route).set(l.queued)
      },
    }),
    circuitOpen: new Gauge({
      name: 'miffy_circuit_open',
      help: '1 while the candidate circuit breaker of a route is open or half-open',
      labelNames: ['route'] as const,
      registers: [registry],
    }),
    circuitOpened: new Counter({
      name: 'miffy_circuit_opened_total',
      help: 'Times the candidate circuit breaker of a route opened',
      labelNames: ['route'] as const,
      registers: [registry],
    }),
    bufferedBytes: new Gauge({
      name: 'miffy_buffered_bytes',
      help: 'Bytes of bodies buffered for comparison, against memory_budget',
      registers: [registry],
      collect() {
        this.set(sources.bufferedBytes())
      },
    }),
    divergenceLogBytes: new Gauge({
      name: 'miffy_divergence_log_bytes',
      help: 'Bytes of messages kept for GET /divergences, against memory_budget × divergence_log_share',
      registers: [registry],
      collect() {
        this.set(sources.divergenceLogBytes())
      },
    }),
    noisePairs: new Counter({
      name: 'miffy_noise_pairs_total',
      help: 'Pairs of reference and secondary answers by route: learned from, or skipped (the secondary failed, or either answered 5xx against another status)',
      labelNames: ['route', 'result'] as const,
      registers: [registry],
      collect() {
        this.reset()
        for (const n of sources.noise()) {
          this.labels(n.route, 'learned').inc(n.samples)
          this.labels(n.route, 'skipped').inc(n.skipped)
        }
      },
    }),
    noisePlaces: new Gauge({
      name: 'miffy_noise_places',
      help: 'Noisy places a route has learned (JSON paths, header parts, text places), against max_noise_paths',
      labelNames: ['route'] as const,
      registers: [registry],
      collect() {
        this.reset()
        for (const n of sources.noise()) this.labels(n.route).set(n.places)
      },
    }),
    noiseOverflow: new Counter({
      name: 'miffy_noise_places_dropped_total',
      help: 'Noisy places not learned because the route held max_noise_paths already',
      labelNames: ['route'] as const,
      registers: [registry],
      collect() {
        this.reset()
        for (const n of sources.noise()) this.labels(n.route).inc(n.overflow)
      },
    }),
  }
}

export type Metrics = ReturnType<typeof createMetrics>
