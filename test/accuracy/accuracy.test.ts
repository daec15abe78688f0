/**
 * The accuracy harness at a small N (issue 9): the corpus servers, miffy as a real process per
 * configuration, outcomes read from the management port.
 *
 * What is asserted depends on what miffy's config schema accepts, read from the schema itself:
 * - always: the corpus showed every regression it claims, and the zero-config run settled with
 *   counts that add up (every request sent has exactly one outcome, compared + drops + errors);
 * - while `secondary` is not a config key: miffy refuses the secondary configurations with an
 *   "unknown key" error naming it (exit 2), and the harness reports them as refused;
 * - once `secondary` is a key (global and per route): issue 9's goals, for the secondary alone
 *   (≤ 1 % false, ≥ 95 % recall) and for the recommended config (≤ 1 % false, 100 % recall).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runAccuracy } from '../../accuracy/harness.ts'
import { renderReport, summaryLine } from '../../accuracy/report.ts'
import { variantsNamed } from '../../accuracy/variants.ts'
import { configSchema } from '../../src/config/schema.ts'

const engine = 'secondary' in configSchema.shape && 'secondary' in configSchema.shape.routes.element.shape
const N = 12

test('accuracy harness at small N', async () => {
  const run = await runAccuracy({
    n: N,
    variants: variantsNamed(['zero-config', 'secondary', 'recommended']),
    concurrency: 8,
    settleTimeoutMs: 30_000,
    log: () => {},
  })
  const byName = new Map(run.variants.map((v) => [v.variant.name, v]))
  const report = renderReport(run, { command: 'node --test test/accuracy/accuracy.test.ts' })

  assert.deepEqual(run.violations, [], 'every regressed answer must show its regression')
  assert.ok(run.endpoints.filter((e) => e.bug === undefined).length >= 45, 'at least 45 endpoint kinds')
  assert.ok(run.endpoints.filter((e) => e.bug !== undefined).length >= 23, 'at least 23 regressions')

  const zero = byName.get('zero-config')!
  assert.equal(zero.status, 'measured', zero.message)
  assert.equal(zero.sent, N * run.endpoints.length)
  assert.equal(zero.clientFailures, 0)
  for (const r of zero.routes) {
    const other = Object.values(r.other).reduce((a, b) => a + b, 0)
    assert.equal(r.sent, N, r.route)
    assert.equal(r.unsettled, 0, `${r.route}: every request has an outcome`)
    assert.equal(r.compared + r.drops + r.errors + other, r.sent, `${r.route}: outcomes add up`)
  }
  const t = zero.totals!
  assert.equal(t.equal.compared + t.regressed.compared + t.drops + t.errors + t.other, zero.sent)

  for (const name of ['secondary', 'recommended'] as const) {
    const v = byName.get(name)!
    if (engine) {
      assert.equal(v.status, 'measured', v.message)
      assert.deepEqual(v.shortfalls, [], `${summaryLine(v)}\n\n${report}`)
    } else {
      assert.equal(v.status, 'rejected', summaryLine(v))
      assert.match(v.message ?? '', /secondary: unknown key/)
      assert.match(
        report,
        new RegExp(`${v.variant.title.replace(/[()+.]/g, '\\$&')} \\| \\*\\*not run\\*\\*: miffy refused`),
      )
    }
  }
})
