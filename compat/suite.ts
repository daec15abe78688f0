/**
 * The whole comparison: the recording upstreams, one run of the Rust miffy and one of miffy on
 * the same config and requests against one Kafka broker, every difference classified.
 */
import { randomUUID } from 'node:crypto'
import { compareObservations, type Difference } from './compare.ts'
import { classify, KNOWN_DIFFERENCES, type KnownDifference, type Verdict } from './known-differences.ts'
import { startRecorders } from './recorder.ts'
import { miffy } from './run-miffy.ts'
import { rustMiffy } from './run-rust.ts'
import { PROCESS_SCENARIOS, SCENARIOS, type Scenario } from './scenarios.ts'
import { type Observation, observe } from './session.ts'

export interface Classified {
  difference: Difference
  verdict: Verdict
}

export interface SuiteResult {
  startedAt: Date
  durationMs: number
  kafka: { version: string; brokers: string }
  scenarios: readonly Scenario[]
  rust: Observation
  miffy: Observation
  differences: Classified[]
  counts: { compatible: number; improvement: number; breaking: number; unexplained: number; pending: number }
  /** entries with a pending fix that no difference matched: the fix has landed, remove them */
  fixedPending: KnownDifference[]
  /** other entries nothing matched in this run */
  unobserved: KnownDifference[]
}

export interface SuiteOptions {
  brokers: string
  /** the broker's version, for the report */
  kafkaVersion: string
  scenarios?: readonly Scenario[]
}

export async function runSuite(o: SuiteOptions): Promise<SuiteResult> {
  const startedAt = new Date()
  const t0 = performance.now()
  const scenarios = o.scenarios ?? SCENARIOS
  // Both first: a Rust miffy that cannot be built fails the suite before anything runs.
  const implementations = { rust: rustMiffy(), miffy: miffy() }
  const recorders = await startRecorders(scenarios)
  let rust: Observation
  let ours: Observation
  try {
    const run = (impl: typeof implementations.rust) =>
      observe({
        impl,
        scenarios,
        recorders,
        brokers: o.brokers,
        topic: `compat-${impl.name}-${randomUUID()}`,
      })
    rust = await run(implementations.rust)
    ours = await run(implementations.miffy)
  } finally {
    await recorders.close()
  }
  const ids = [...scenarios.map((s) => s.id), ...PROCESS_SCENARIOS.map((p) => p.id)]
  const differences = compareObservations(rust, ours, ids).map((difference) => ({
    difference,
    verdict: classify(difference),
  }))
  const count = (f: (c: Classified) => boolean) => differences.filter(f).length
  const used = new Set(differences.map((c) => c.verdict.known).filter((k) => k !== undefined))
  return {
    startedAt,
    durationMs: performance.now() - t0,
    kafka: { version: o.kafkaVersion, brokers: o.brokers },
    scenarios,
    rust,
    miffy: ours,
    differences,
    counts: {
      compatible: count((c) => c.verdict.class === 'compatible'),
      improvement: count((c) => c.verdict.class === 'improvement'),
      breaking: count((c) => c.verdict.class === 'breaking'),
      unexplained: count((c) => c.verdict.known === undefined),
      pending: count((c) => c.verdict.class === 'breaking' && c.verdict.known !== undefined),
    },
    fixedPending: KNOWN_DIFFERENCES.filter((k) => k.class === 'breaking' && !used.has(k)),
    unobserved: KNOWN_DIFFERENCES.filter((k) => k.class !== 'breaking' && !used.has(k)),
  }
}
