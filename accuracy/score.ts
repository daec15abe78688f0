/**
 * From outcome counts to figures. Per route (= per endpoint variant, so per-request truth):
 *
 * - compared: the pairs miffy compared: `equal`, `diverged`, and `noise` (issue 9: differences
 *   all explained by noise, not published);
 * - reported: `diverged`;
 * - drops (sampled out, skipped, queue, oversize, memory, breaker, timeout, client gone) and
 *   errors (a leg failed) are counted apart: they are neither a pass nor a catch.
 *
 * False-divergence rate = reported / compared over equal endpoints; recall = reported /
 * compared over regressed endpoints. A goal is met only when, on top of the two rates, nothing
 * was dropped, failed or left unsettled, and the corpus proved every regression showed.
 */
import type { Endpoint } from './endpoints.ts'
import { outcomeTotal, type RouteSummary, type Summary } from './settle.ts'
import type { Goal } from './variants.ts'

const COMPARED = ['equal', 'diverged', 'noise']
const ERRORS = ['candidate_error', 'reference_error']
const DROPS = [
  'sampled_out',
  'method_skipped',
  'dropped_queue_full',
  'dropped_oversize',
  'dropped_memory',
  'circuit_open',
  'candidate_timeout',
  'client_aborted',
]

export interface RouteScore {
  endpoint: string
  kind: string
  family: string
  bug: string | undefined
  what: string
  route: string
  sent: number
  compared: number
  reported: number
  /** outcome `noise` (counted in compared, not reported) */
  noise: number
  drops: number
  errors: number
  /** drops and errors by outcome name */
  notCompared: Record<string, number>
  /** outcomes the harness does not know: shown, never scored */
  other: Record<string, number>
  /** requests without an outcome when the run stopped waiting */
  unsettled: number
  /** the most frequent divergence of the route, as miffy summarised it */
  example: unknown
}

export interface Rate {
  compared: number
  reported: number
  /** reported / compared; undefined when nothing was compared */
  rate: number | undefined
}

export interface Totals {
  equal: Rate
  regressed: Rate
  drops: number
  errors: number
  unsettled: number
  other: number
}

function sumOf(outcomes: Record<string, number>, names: readonly string[]): number {
  return names.reduce((a, n) => a + (outcomes[n] ?? 0), 0)
}

export function scoreRoute(e: Endpoint, sent: number, r: RouteSummary | undefined): RouteScore {
  const outcomes = r?.outcomes ?? {}
  const other: Record<string, number> = {}
  const notCompared: Record<string, number> = {}
  for (const [k, v] of Object.entries(outcomes)) {
    if (v === 0 || COMPARED.includes(k)) continue
    if (ERRORS.includes(k) || DROPS.includes(k)) notCompared[k] = v
    else other[k] = v
  }
  return {
    endpoint: e.id,
    kind: e.kind.name,
    family: e.kind.family,
    bug: e.bug,
    what: e.what,
    route: e.route,
    sent,
    compared: sumOf(outcomes, COMPARED),
    reported: outcomes.diverged ?? 0,
    noise: outcomes.noise ?? 0,
    drops: sumOf(outcomes, DROPS),
    errors: sumOf(outcomes, ERRORS),
    notCompared,
    other,
    unsettled: Math.max(0, sent - outcomeTotal(r)),
    example: r?.top_fingerprints?.[0]?.example?.divergence,
  }
}

export function scoreRoutes(
  endpoints: readonly Endpoint[],
  sent: ReadonlyMap<string, number>,
  summary: Summary,
): RouteScore[] {
  const byRoute = new Map(summary.routes.map((r) => [r.route, r]))
  return endpoints.map((e) => scoreRoute(e, sent.get(e.id) ?? 0, byRoute.get(e.route)))
}

function rate(rows: readonly RouteScore[]): Rate {
  const compared = rows.reduce((a, r) => a + r.compared, 0)
  const reported = rows.reduce((a, r) => a + r.reported, 0)
  return { compared, reported, rate: compared === 0 ? undefined : reported / compared }
}

export function totals(rows: readonly RouteScore[]): Totals {
  const add = (f: (r: RouteScore) => number) => rows.reduce((a, r) => a + f(r), 0)
  return {
    equal: rate(rows.filter((r) => r.bug === undefined)),
    regressed: rate(rows.filter((r) => r.bug !== undefined)),
    drops: add((r) => r.drops),
    errors: add((r) => r.errors),
    unsettled: add((r) => r.unsettled),
    other: add((r) => Object.values(r.other).reduce((a, b) => a + b, 0)),
  }
}

/** Why a goal is not met; empty when it is. */
export function goalShortfalls(goal: Goal, t: Totals, violations: number): string[] {
  const out: string[] = []
  if (t.equal.rate === undefined || t.equal.rate > goal.maxFalseRate) out.push('false-divergence rate')
  if (t.regressed.rate === undefined || t.regressed.rate < goal.minRecall) out.push('recall')
  if (t.drops > 0) out.push('drops')
  if (t.errors > 0) out.push('errors')
  if (t.unsettled > 0) out.push('unsettled requests')
  if (t.other > 0) out.push('unknown outcomes')
  if (violations > 0) out.push('corpus violations')
  return out
}
