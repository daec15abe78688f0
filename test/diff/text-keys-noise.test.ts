/**
 * A `key: value` status page (YAML, a plain-text health page): every key has places of its own,
 * so a stable value does not inherit the noise of a busy gauge on a line of the same shape.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compare, toDivergence } from '../../src/diff/compare.ts'
import type { LegResult } from '../../src/diff/model.ts'
import { explainNoise } from '../../src/diff/noise-apply.ts'
import { learnNoise } from '../../src/diff/noise-learn.ts'
import { NoiseModel } from '../../src/diff/noise-model.ts'
import { options, rawLeg } from './legs.ts'

const rules = options({})
const yaml = (heap: number, depth: number, consumers: number): LegResult =>
  rawLeg(
    `status: ok\nheap_bytes: ${heap}\nqueue:\n  depth: ${depth}\n  in_flight: ${depth * 3}\n  consumers: ${consumers}\n`,
    {
      headers: { 'content-type': 'application/yaml' },
    },
  )
const rand = (n: number) => Math.floor(Math.random() * n)

test('noise on one key of a status page does not explain a change on another key', () => {
  const model = new NoiseModel(100)
  for (let i = 0; i < 20; i++)
    learnNoise(
      model,
      compare(yaml(30e6 + rand(5e6), rand(40), 2), yaml(30e6 + rand(5e6), rand(40), 2), rules, model),
    )
  const judge = (c: LegResult) => {
    const comparison = compare(yaml(31e6, 12, 2), c, rules, model)
    if (comparison === null) return []
    const explained = explainNoise(model, comparison, { clockWindowMs: 5 })
    return (toDivergence(comparison, rules.route, 20, explained).body?.paths ?? []).map((p) => [
      p.path,
      p.noise,
    ])
  }
  // the gauges moved as they do: noise
  const busy = judge(yaml(33e6, 30, 2))
  assert.ok(busy.length > 0 && busy.every(([, noise]) => noise), JSON.stringify(busy))
  // no consumer left: a divergence, although the line looks like the depth line above it
  const lost = judge(yaml(31e6, 12, 0))
  assert.equal(lost.length, 1, JSON.stringify(lost))
  assert.match(String(lost[0]![0]), /^line 6 after ".*consumers:"$/)
  assert.equal(lost[0]![1], false)
})
