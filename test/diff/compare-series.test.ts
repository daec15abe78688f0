/**
 * Lists that slid or came in another order between two calls: `[time, value]` points paired by
 * their time, series paired by their label set. A value that changed at the same time is then
 * a value difference, not one of many shifted positions.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compare, toDivergence } from '../../src/diff/compare.ts'
import type { LegResult } from '../../src/diff/model.ts'
import { explainNoise } from '../../src/diff/noise-apply.ts'
import { learnNoise } from '../../src/diff/noise-learn.ts'
import { NoiseModel } from '../../src/diff/noise-model.ts'
import { jsonLeg, options } from './legs.ts'

const rules = options({})
const T0 = 1_796_180_100
const value = (code: string, t: number) => String((t % 97) * (code === '500' ? 1 : 7) + 0.5)
/** a range query: three series in any order, 20 points each, the window slid by `shift` steps */
function range(shift: number, order: string[], scale = 1, empty?: string): LegResult {
  return jsonLeg({
    status: 'success',
    data: {
      result: order.map((code) => ({
        metric: { code },
        values:
          code === empty
            ? []
            : Array.from({ length: 20 }, (_, k) => {
                const t = T0 + (k + shift) * 60
                return [t, String(Number(value(code, t)) * scale)]
              }),
      })),
    },
  })
}
const ORDERS = [
  ['200', '404', '500'],
  ['500', '200', '404'],
  ['404', '500', '200'],
]

function judged(model: NoiseModel, r: LegResult, c: LegResult) {
  const comparison = compare(r, c, rules, model)
  if (comparison === null) return []
  const explained = explainNoise(model, comparison, { clockWindowMs: 5 })
  return (toDivergence(comparison, rules.route, 50, explained).body?.paths ?? []).map((p) => ({
    path: p.path,
    change: p.change,
    noise: p.noise,
  }))
}

test('a slid window and shuffled series: points paired by time, series by labels', () => {
  const d = judged(new NoiseModel(100), range(0, ORDERS[0]!), range(2, ORDERS[1]!))
  assert.ok(d.length > 0)
  assert.ok(
    d.every((p) => p.change !== 'value'),
    `no value differs at the same time: ${JSON.stringify(d.slice(0, 5))}`,
  )
})

test('learned from slid, shuffled answers: a scaled series or an emptied one is a divergence', () => {
  const model = new NoiseModel(200)
  for (let i = 0; i < 24; i++)
    learnNoise(
      model,
      compare(range(i % 3, ORDERS[i % 3]!), range((i + 1) % 3, ORDERS[(i + 2) % 3]!), rules, model),
    )
  const equal = judged(model, range(0, ORDERS[0]!), range(1, ORDERS[2]!))
  assert.ok(
    equal.every((p) => p.noise),
    JSON.stringify(equal.filter((p) => !p.noise)),
  )
  const scaled = judged(model, range(0, ORDERS[0]!), range(1, ORDERS[2]!, 60))
  assert.ok(
    scaled.some((p) => !p.noise && p.change === 'value'),
    'every value ×60',
  )
  const emptied = judged(model, range(0, ORDERS[0]!), range(1, ORDERS[2]!, 1, '500'))
  assert.ok(
    emptied.some((p) => !p.noise),
    'the 5xx series lost its points',
  )
})
