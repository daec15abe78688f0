/**
 * One accuracy run: the corpus nodes (reference, secondary, equal candidate, regressed
 * candidate), then for each configuration variant a fresh miffy process, N requests per
 * endpoint variant through it, a wait until every request has its outcome, and the scores.
 * A variant whose config miffy refuses (exit 2, e.g. `secondary` before the engine exists) is
 * reported as rejected with miffy's own message, and the run goes on.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import type { Kind } from './corpus/kind.ts'
import { freshSeed, seededRandom } from './corpus/random.ts'
import { type CorpusNode, startNode, type Violation } from './corpus/server.ts'
import { allEndpoints, type Endpoint } from './endpoints.ts'
import { miffyConfig, RECOMMENDED_FILE, type RecommendedRules, readRecommendedRules } from './miffy-config.ts'
import { MiffyStartError, ROOT, startMiffy, summariseRefusal } from './miffy-process.ts'
import { goalShortfalls, type RouteScore, scoreRoutes, type Totals, totals } from './score.ts'
import { settle } from './settle.ts'
import { sendTraffic } from './traffic.ts'
import type { Variant } from './variants.ts'

export interface AccuracyOptions {
  /** requests per endpoint variant */
  n: number
  variants: readonly Variant[]
  /** concurrent client connections */
  concurrency: number
  /** how long to wait for outcomes after the last answer */
  settleTimeoutMs: number
  /** the endpoint kinds to run; default: the main corpus (corpus/index.ts) */
  kinds?: readonly Kind[]
  /** write every stored divergence of each configuration to `<dump>.<configuration>.json` */
  dump?: string
  /** progress lines */
  log: (line: string) => void
}

export interface VariantResult {
  variant: Variant
  /** measured; rejected: miffy refused the config (exit 2); failed: anything else went wrong */
  status: 'measured' | 'rejected' | 'failed'
  message: string | undefined
  /** what this variant's config contained beyond routes */
  settings: string[]
  routes: RouteScore[]
  totals: Totals | undefined
  /** why the issue's goal is not met (empty: met); undefined without a goal or a measurement */
  shortfalls: string[] | undefined
  /** requests the secondary received, against those sent */
  secondaryCalls: number
  sent: number
  /** client requests that got no answer */
  clientFailures: number
  sendMs: number
  settleMs: number
}

export interface AccuracyRun {
  startedAt: string
  n: number
  concurrency: number
  endpoints: Endpoint[]
  recommended: RecommendedRules
  variants: VariantResult[]
  violations: Violation[]
  elapsedMs: number
}

function settingsOf(variant: Variant, recommended: RecommendedRules): string[] {
  const s: string[] = []
  if (variant.secondary) s.push('`secondary` per route')
  if (variant.noiseSample !== undefined) s.push(`\`noise_sample = ${variant.noiseSample}\` per route`)
  if (variant.rules === 'recommended') {
    if (!recommended.found) s.push(`no rules: ${RECOMMENDED_FILE} does not exist yet`)
    else {
      const keys = Object.keys(recommended.rules)
      s.push(
        `rules from ${RECOMMENDED_FILE}: ${keys.length > 0 ? keys.map((k) => `\`${k}\``).join(', ') : 'none'}`,
      )
      if (recommended.ignored.length > 0)
        s.push(`ignored (set by the harness): ${recommended.ignored.join(', ')}`)
    }
  }
  if (s.length === 0) s.push('routes only')
  return s
}

async function runVariant(
  variant: Variant,
  endpoints: readonly Endpoint[],
  nodes: Record<'reference' | 'secondary' | 'candidate' | 'regressed', CorpusNode>,
  recommended: RecommendedRules,
  opts: AccuracyOptions,
): Promise<VariantResult> {
  const result: VariantResult = {
    variant,
    status: 'failed',
    message: undefined,
    settings: settingsOf(variant, recommended),
    routes: [],
    totals: undefined,
    shortfalls: undefined,
    secondaryCalls: 0,
    sent: 0,
    clientFailures: 0,
    sendMs: 0,
    settleMs: 0,
  }
  const dir = mkdtempSync(join(tmpdir(), 'miffy-accuracy-'))
  const configPath = join(dir, 'config.toml')
  writeFileSync(
    configPath,
    miffyConfig(
      variant,
      endpoints,
      {
        reference: nodes.reference.url,
        secondary: nodes.secondary.url,
        candidate: nodes.candidate.url,
        regressed: nodes.regressed.url,
      },
      recommended,
      // a dump is for reading every report: keep them all, not the default log's 1000, and the
      // pairs noise explained too (flagged noise_only; their outcome stays `noise`), so a miss
      // can be read as well as a false report
      opts.dump ? { divergence_log: 1_000_000, publish_noise: true } : {},
    ),
  )
  nodes.secondary.served.clear()
  let miffy: Awaited<ReturnType<typeof startMiffy>> | undefined
  try {
    try {
      miffy = await startMiffy(configPath)
    } catch (err) {
      if (err instanceof MiffyStartError && err.exitCode === 2) {
        result.status = 'rejected'
        result.message = err.stderr.trim()
        opts.log(`${variant.name}: miffy refused the config: ${summariseRefusal(result.message)}`)
        return result
      }
      throw err
    }
    opts.log(`${variant.name}: sending ${opts.n} requests to each of ${endpoints.length} endpoints`)
    const traffic = await sendTraffic(
      miffy.proxyUrl,
      endpoints,
      opts.n,
      opts.concurrency,
      seededRandom(freshSeed()),
    )
    result.sent = [...traffic.sent.values()].reduce((a, b) => a + b, 0)
    result.clientFailures = traffic.failed
    result.sendMs = traffic.elapsedMs
    const expected = new Map(endpoints.map((e) => [e.route, traffic.sent.get(e.id) ?? 0]))
    const settled = await settle(miffy.managementUrl, expected, opts.settleTimeoutMs)
    result.settleMs = settled.waitedMs
    if (opts.dump) {
      // every stored divergence of this configuration, for reading what was reported and why
      const res = await request(`${miffy.managementUrl}/divergences?limit=100000`)
      writeFileSync(`${opts.dump}.${variant.name}.json`, await res.body.text())
    }
    result.routes = scoreRoutes(endpoints, traffic.sent, settled.summary)
    result.totals = totals(result.routes)
    result.secondaryCalls = [...nodes.secondary.served.values()].reduce((a, b) => a + b, 0)
    const violations = Object.values(nodes).reduce((a, n) => a + n.violations.length, 0)
    if (variant.goal) result.shortfalls = goalShortfalls(variant.goal, result.totals, violations)
    result.status = 'measured'
    const t = result.totals
    opts.log(
      `${variant.name}: false ${t.equal.reported}/${t.equal.compared}, recall ${t.regressed.reported}/${t.regressed.compared}` +
        `, drops ${t.drops}, errors ${t.errors}, unsettled ${t.unsettled} (sent in ${(traffic.elapsedMs / 1000).toFixed(1)} s)`,
    )
  } catch (err) {
    result.status = 'failed'
    result.message = (err as Error).message
    opts.log(`${variant.name}: failed: ${result.message}`)
  } finally {
    await miffy?.stop()
    rmSync(dir, { recursive: true, force: true })
  }
  return result
}

export async function runAccuracy(opts: AccuracyOptions): Promise<AccuracyRun> {
  const started = performance.now()
  const startedAt = new Date().toISOString()
  const endpoints = allEndpoints(opts.kinds)
  const recommended = readRecommendedRules(ROOT)
  const [reference, secondary, candidate, regressed] = await Promise.all([
    startNode('reference'),
    startNode('secondary'),
    startNode('candidate'),
    startNode('regressed'),
  ])
  const nodes = { reference: reference!, secondary: secondary!, candidate: candidate!, regressed: regressed! }
  const variants: VariantResult[] = []
  try {
    for (const variant of opts.variants)
      variants.push(await runVariant(variant, endpoints, nodes, recommended, opts))
  } finally {
    await Promise.all(Object.values(nodes).map((n) => n.close()))
  }
  return {
    startedAt,
    n: opts.n,
    concurrency: opts.concurrency,
    endpoints,
    recommended,
    variants,
    violations: Object.values(nodes).flatMap((n) => n.violations),
    elapsedMs: performance.now() - started,
  }
}
