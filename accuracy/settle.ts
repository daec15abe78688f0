/**
 * Waits until miffy has settled every request of a run: each route's outcome counts on
 * `GET /divergences/summary` add up to the requests sent to it (every matched request ends in
 * exactly one outcome, README "Outcomes and metrics"). Mirrors finish after the client's
 * answer, so the client being done says nothing about them.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { request } from 'undici'

export interface RouteSummary {
  route: string
  outcomes: Record<string, number>
  top_fingerprints?: { fingerprint: string; count: number; example?: { divergence?: unknown } }[]
}

export interface Summary {
  routes: RouteSummary[]
}

export async function fetchSummary(managementUrl: string): Promise<Summary> {
  const res = await request(`${managementUrl}/divergences/summary`)
  if (res.statusCode !== 200) throw new Error(`GET /divergences/summary answered ${res.statusCode}`)
  return (await res.body.json()) as Summary
}

export function outcomeTotal(r: RouteSummary | undefined): number {
  if (!r) return 0
  return Object.values(r.outcomes).reduce((a, b) => a + b, 0)
}

/** Polls until every route counted `expected` outcomes, or the deadline; the last summary either way. */
export async function settle(
  managementUrl: string,
  expected: ReadonlyMap<string, number>,
  timeoutMs: number,
): Promise<{ summary: Summary; settled: boolean; waitedMs: number }> {
  const started = performance.now()
  for (;;) {
    const summary = await fetchSummary(managementUrl)
    const byRoute = new Map(summary.routes.map((r) => [r.route, r]))
    let done = true
    for (const [route, n] of expected) if (outcomeTotal(byRoute.get(route)) < n) done = false
    const waitedMs = performance.now() - started
    if (done || waitedMs > timeoutMs) return { summary, settled: done, waitedMs }
    await sleep(200)
  }
}
