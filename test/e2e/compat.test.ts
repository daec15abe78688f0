/**
 * The compatibility suite (compat/, `npm run compat`) as part of `npm test`: the Rust miffy 1.0.1
 * and miffy side by side on one config, one request set and a real broker. It fails on any
 * difference that no documented rule explains, and when a rule for a pending fix stops matching
 * (the fix landed: the rule must go). It never skips: a Rust miffy that cannot be built fails it
 * with the build script's explanation of what is missing.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { stringify } from '../../compat/compare.ts'
import { runSuite } from '../../compat/suite.ts'
import { kafkaVersions, sharedKafka } from '../helpers/kafka-broker.ts'

test('miffy is a drop-in for the Rust miffy 1.0.1: no unexplained difference', async () => {
  const version = kafkaVersions().at(-1)!
  const broker = await sharedKafka(version)
  const result = await runSuite({ brokers: broker.brokers, kafkaVersion: broker.version })

  // The suite exercised what it claims to: the Rust miffy published its differing pairs, keyed
  // as configured, and both implementations answered every client.
  const rustKeys = [...result.rust.messages.values()].flat().map((m) => m.key)
  for (const key of [
    'json-differ',
    'hello%20world',
    'static-name',
    '/plain/{id}',
    'docs/a%2Fb/read%20me.txt',
  ])
    assert.ok(
      rustKeys.includes(key),
      `the Rust miffy published no message keyed ${key}: ${rustKeys.join(', ')}`,
    )
  assert.equal(result.rust.client.get('dead-reference')?.status, 502)
  assert.deepEqual(result.rust.strayMessages, [])
  assert.deepEqual(result.miffy.strayRequests, [])

  const unexplained = result.differences
    .filter((d) => d.verdict.known === undefined)
    .map(
      ({ difference: d }) =>
        `${d.scenario} ${d.aspect} ${d.field}: Rust ${stringify(d.rust)}, miffy ${stringify(d.miffy)}`,
    )
  assert.deepEqual(unexplained, [], `breaking differences from the Rust miffy:\n${unexplained.join('\n')}`)
  assert.deepEqual(
    result.fixedPending.map((k) => k.id),
    [],
    'these pending fixes have landed: remove their rules from compat/known-differences.ts',
  )
})
