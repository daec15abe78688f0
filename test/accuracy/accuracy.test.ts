/**
 * The accuracy harness at a small N (issue 9): the corpus servers, miffy as a real process per
 * configuration, outcomes read from the management port. ACCURACY.md has the full run.
 *
 * Asserted:
 * - the corpus showed every regression it claims, and every configuration settled with counts
 *   that add up (every request sent has exactly one outcome);
 * - recall: ≥ 95 % with the secondary alone, 100 % with the recommended config;
 * - false reports ≤ 1 % for both, on every kind whose noise a secondary can show. The kinds in
 *   BEYOND_A_SECONDARY carry values that belong to a deployment (how long a process has been up,
 *   its counters since start, its build): the reference and its secondary are the same
 *   deployment, the candidate is a new one, so no secondary shows that noise. ACCURACY.md counts
 *   them with the rest; the recommended config silences the generic ones.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runAccuracy } from '../../accuracy/harness.ts'
import { renderReport, summaryLine } from '../../accuracy/report.ts'
import type { RouteScore } from '../../accuracy/score.ts'
import { variantsNamed } from '../../accuracy/variants.ts'

const N = 12

/** Equal kinds whose differences are a deployment's, not a request's, with what differs. */
const BEYOND_A_SECONDARY: Record<string, string> = {
  health: 'uptime_s of a fresh candidate',
  motd: '"Uptime:" of a fresh candidate',
  metrics: 'process counters since start',
  version: 'start time of a fresh candidate',
  config: 'a per-node ttl_s that the reference and the secondary may share',
  rss: 'a per-node <ttl> that the reference and the secondary may share',
  sitemap: 'the build hash of the candidate',
}

test('accuracy harness at small N', async () => {
  const run = await runAccuracy({
    n: N,
    variants: variantsNamed(['zero-config', 'secondary', 'recommended']),
    concurrency: 8,
    // N is below noise_warmup: every held pair waits out noise_warmup_wait (30 s) before it is judged
    settleTimeoutMs: 90_000,
    log: () => {},
  })
  const report = renderReport(run, { command: 'node --test test/accuracy/accuracy.test.ts' })

  assert.deepEqual(run.violations, [], 'every regressed answer must show its regression')
  assert.ok(run.endpoints.filter((e) => e.bug === undefined).length >= 45, 'at least 45 endpoint kinds')
  assert.ok(run.endpoints.filter((e) => e.bug !== undefined).length >= 23, 'at least 23 regressions')

  for (const v of run.variants) {
    assert.equal(v.status, 'measured', `${v.variant.name}: ${v.message}`)
    assert.equal(v.sent, N * run.endpoints.length)
    assert.equal(v.clientFailures, 0)
    for (const r of v.routes) {
      const other = Object.values(r.other).reduce((a, b) => a + b, 0)
      assert.equal(r.sent, N, r.route)
      assert.equal(r.unsettled, 0, `${v.variant.name} ${r.route}: every request has an outcome`)
      assert.equal(r.compared + r.drops + r.errors + other, r.sent, `${r.route}: outcomes add up`)
    }
  }

  const rate = (routes: RouteScore[]) => {
    const compared = routes.reduce((n, r) => n + r.compared, 0)
    return compared === 0 ? 0 : routes.reduce((n, r) => n + r.reported, 0) / compared
  }
  for (const [name, minRecall] of [
    ['secondary', 0.95],
    ['recommended', 1],
  ] as const) {
    const v = run.variants.find((x) => x.variant.name === name)!
    const regressed = v.routes.filter((r) => r.bug !== undefined)
    const equal = v.routes.filter((r) => r.bug === undefined && !(r.kind in BEYOND_A_SECONDARY))
    const context = `${summaryLine(v)}\n\n${report}`
    assert.ok(rate(regressed) >= minRecall, `${name}: recall ${rate(regressed)} < ${minRecall}\n${context}`)
    assert.ok(
      rate(equal) <= 0.01,
      `${name}: false ${rate(equal)} > 1 % (outside BEYOND_A_SECONDARY)\n${context}`,
    )
  }
})
