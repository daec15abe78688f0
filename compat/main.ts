/**
 * `npm run compat`: runs the Rust miffy 1.0.1 and miffy side by side (compat/suite.ts), writes
 * COMPAT.md, and exits 1 when a difference is unexplained (breaking) or a rule for a pending fix
 * no longer matches (the fix landed: remove the rule). Kafka: KAFKA_BROKERS when set, else a
 * broker of its own (Kafka 4.1, as `npm run kafka` starts it), stopped at the end.
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { KAFKA_VERSIONS, startKafka } from '../test/helpers/kafka-broker.ts'
import { renderReport } from './report.ts'
import { runSuite } from './suite.ts'

const OUT = fileURLToPath(new URL('../COMPAT.md', import.meta.url))
const cleanups: (() => unknown)[] = []

try {
  let brokers = process.env.KAFKA_BROKERS
  let kafkaVersion = 'external (KAFKA_BROKERS)'
  if (!brokers) {
    const version = Object.values(KAFKA_VERSIONS).at(-1)!
    console.error(`compat: starting Kafka ${version}...`)
    const broker = await startKafka({ after: (fn) => cleanups.push(fn) }, { version })
    brokers = broker.brokers
    kafkaVersion = broker.version
  }
  console.error('compat: running the Rust miffy and miffy side by side...')
  const result = await runSuite({ brokers, kafkaVersion })
  writeFileSync(OUT, renderReport(result, 'npm run compat'))
  const c = result.counts
  console.log(
    `compat: ${c.unexplained} unexplained breaking, ${c.pending} pending fix, ${c.improvement} improvements, ` +
      `${c.compatible} compatible (${(result.durationMs / 1000).toFixed(1)} s); wrote COMPAT.md`,
  )
  for (const d of result.differences.filter((x) => x.verdict.known === undefined)) {
    const { scenario, aspect, field, rust, miffy } = d.difference
    console.log(`  breaking: ${scenario} ${aspect} ${field}: Rust ${String(rust)} / miffy ${String(miffy)}`)
  }
  for (const k of result.fixedPending) console.log(`  fixed: remove the pending rule ${k.id}`)
  process.exitCode = c.unexplained > 0 || result.fixedPending.length > 0 ? 1 : 0
} catch (err) {
  console.error(`compat: ${(err as Error).message}`)
  process.exitCode = 2
} finally {
  for (const fn of cleanups.reverse()) await fn()
}
