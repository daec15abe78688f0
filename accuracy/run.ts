/**
 * `npm run accuracy`: runs the corpus against miffy in every configuration and writes
 * ACCURACY.md (issue 9).
 *
 *   npm run accuracy                              # N = 100, all configurations, writes ACCURACY.md
 *   npm run accuracy -- --n 20 --variants zero-config,secondary
 *   npm run accuracy -- --out /tmp/accuracy.md --json /tmp/accuracy.json
 *   npm run accuracy -- --sample rg/product/tag-renamed   # one reference/secondary/candidate triple
 *   npm run accuracy -- --list                    # every endpoint variant
 *   npm run accuracy -- --print-config secondary  # the config.toml a configuration runs with
 *   npm run accuracy -- --holdout --no-write      # the blind holdout corpus (corpus/holdout.ts)
 *
 * Options:
 *   --n N              requests per endpoint variant (default 100)
 *   --variants a,b     configurations (zero-config, secondary, secondary-sampled, recommended)
 *   --concurrency N    concurrent client connections (default 8)
 *   --settle-timeout S seconds to wait for outcomes after the last answer (default 60)
 *   --out FILE         the report (default ACCURACY.md in the repository)
 *   --json FILE        also the raw results
 *   --no-write         print the results only
 *   --dump PREFIX      write each configuration's stored divergences to PREFIX.<configuration>.json
 *                      (every one, and the pairs noise explained, flagged noise_only)
 *   --holdout          run the holdout kinds (corpus/holdout.ts) instead of the main corpus; the
 *                      report then defaults to ACCURACY-HOLDOUT.md (applies to --list, --sample,
 *                      --print-config too)
 *
 * Exits 1 when a configuration failed for another reason than a refused config, or when the
 * corpus did not show a regression it should have; missing a goal is a result, not a failure.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { HOLDOUT } from './corpus/holdout.ts'
import { KINDS } from './corpus/index.ts'
import { allEndpoints } from './endpoints.ts'
import { runAccuracy } from './harness.ts'
import { miffyConfig, readRecommendedRules } from './miffy-config.ts'
import { ROOT } from './miffy-process.ts'
import { renderReport, summaryLine } from './report.ts'
import { sampleTriple } from './sample-triple.ts'
import { VARIANTS, variantsNamed } from './variants.ts'

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100' },
    variants: { type: 'string' },
    concurrency: { type: 'string', default: '8' },
    'settle-timeout': { type: 'string', default: '60' },
    out: { type: 'string' },
    json: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    sample: { type: 'string' },
    'print-config': { type: 'string' },
    list: { type: 'boolean', default: false },
    dump: { type: 'string' },
    holdout: { type: 'boolean', default: false },
  },
  strict: true,
})

function positive(name: string, text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} expects a positive integer, not "${text}"`)
  return n
}

const kinds = values.holdout ? HOLDOUT : KINDS

if (values['print-config'] !== undefined) {
  const [variant] = variantsNamed([values['print-config']])
  const up = (role: string) => `http://127.0.0.1:<${role} port>`
  const upstreams = {
    reference: up('reference'),
    secondary: up('secondary'),
    candidate: up('candidate'),
    regressed: up('regressed'),
  }
  process.stdout.write(miffyConfig(variant!, allEndpoints(kinds), upstreams, readRecommendedRules(ROOT)))
} else if (values.list) {
  for (const e of allEndpoints(kinds)) process.stdout.write(`${e.id.padEnd(50)} ${e.what}\n`)
} else if (values.sample !== undefined) {
  await sampleTriple(values.sample, (s) => process.stdout.write(s), kinds)
} else {
  const variants = values.variants ? variantsNamed(values.variants.split(',')) : VARIANTS
  const run = await runAccuracy({
    n: positive('n', values.n),
    kinds,
    variants,
    concurrency: positive('concurrency', values.concurrency),
    settleTimeoutMs: positive('settle-timeout', values['settle-timeout']) * 1000,
    ...(values.dump ? { dump: values.dump } : {}),
    log: (line) => process.stderr.write(`accuracy: ${line}\n`),
  })
  const args = process.argv.slice(2)
  const report = renderReport(run, {
    command: `npm run accuracy${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`,
    ...(values.holdout
      ? { corpus: 'the blind holdout (accuracy/corpus/holdout.ts), not the main corpus' }
      : {}),
  })
  if (!values['no-write']) {
    const out = values.out ?? join(ROOT, values.holdout ? 'ACCURACY-HOLDOUT.md' : 'ACCURACY.md')
    writeFileSync(out, report)
    process.stderr.write(`accuracy: wrote ${out}\n`)
  }
  if (values.json)
    writeFileSync(
      values.json,
      JSON.stringify(run, (k, v) => (k === 'kind' && typeof v === 'object' ? v.name : v), 2),
    )
  for (const v of run.variants) process.stdout.write(`${summaryLine(v)}\n`)
  const failed = run.variants.some((v) => v.status === 'failed') || run.violations.length > 0
  process.exitCode = failed ? 1 : 0
}
