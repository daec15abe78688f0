/**
 * The blind holdout (accuracy/corpus/holdout*.ts, `npm run accuracy -- --holdout`): kinds of
 * noise and regressions written by engineers who read none of src/, run at a small N. miffy was
 * not built against them; what they found was fixed for the class of problem, and this keeps it
 * fixed.
 *
 * Asserted, for the secondary alone and with the recommended config: every request has one
 * outcome; recall ≥ 95 %; false reports ≤ 1 %. ACCURACY-HOLDOUT.md has the full run and the
 * regressions it still misses.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { HOLDOUT } from '../../accuracy/corpus/holdout.ts'
import { runAccuracy } from '../../accuracy/harness.ts'
import { renderReport, summaryLine } from '../../accuracy/report.ts'
import type { RouteScore } from '../../accuracy/score.ts'
import { variantsNamed } from '../../accuracy/variants.ts'

/** above noise_warmup (20), so pairs are judged as they come, not held; twice it, so most are judged with a warm model */
const N = 40

test('blind holdout at small N', async () => {
  const run = await runAccuracy({
    n: N,
    kinds: HOLDOUT,
    variants: variantsNamed(['secondary', 'recommended']),
    concurrency: 8,
    settleTimeoutMs: 90_000,
    log: () => {},
  })
  const report = renderReport(run, { command: 'node --test test/accuracy/holdout.test.ts' })
  assert.deepEqual(run.violations, [], 'every regressed answer must show its regression')

  const rate = (routes: RouteScore[]) => {
    const compared = routes.reduce((n, r) => n + r.compared, 0)
    return compared === 0 ? 0 : routes.reduce((n, r) => n + r.reported, 0) / compared
  }
  for (const v of run.variants) {
    assert.equal(v.status, 'measured', `${v.variant.name}: ${v.message}`)
    assert.equal(v.clientFailures, 0)
    for (const r of v.routes) {
      const other = Object.values(r.other).reduce((a, b) => a + b, 0)
      assert.equal(r.unsettled, 0, `${v.variant.name} ${r.route}: every request has an outcome`)
      assert.equal(r.compared + r.drops + r.errors + other, r.sent, `${r.route}: outcomes add up`)
    }
    const context = `${summaryLine(v)}\n\n${report}`
    const regressed = v.routes.filter((r) => r.bug !== undefined)
    const equal = v.routes.filter((r) => r.bug === undefined)
    assert.ok(rate(regressed) >= 0.95, `${v.variant.name}: recall ${rate(regressed)} < 95 %\n${context}`)
    assert.ok(rate(equal) <= 0.01, `${v.variant.name}: false ${rate(equal)} > 1 %\n${context}`)
  }
})
