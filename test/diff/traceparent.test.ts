/** W3C trace context inside a string: compared by field, so noise is learned per field. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compare, toDivergence } from '../../src/diff/compare.ts'
import { explainNoise } from '../../src/diff/noise-apply.ts'
import { learnNoise } from '../../src/diff/noise-learn.ts'
import { NoiseModel } from '../../src/diff/noise-model.ts'
import { structure } from '../../src/diff/structured-string.ts'
import { jsonLeg, options } from './legs.ts'

test('W3C trace context is compared by field: a fresh span id is noise, a dropped sampled flag is not', () => {
  const hex = (n: number) =>
    Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(Math.random() * 16)]).join('')
  const trace = hex(32)
  const tp = (flags = '01', t = trace) => `00-${t}-${hex(16)}-${flags}`
  assert.deepEqual(structure(tp())?.kind, 'fields')
  assert.equal(structure(`00-${trace}-${hex(16)}-0`), undefined)
  const model = new NoiseModel(100)
  const rules = options({})
  const leg = (traceparent: string) => jsonLeg({ traceparent, sampled: true })
  for (let i = 0; i < 20; i++) learnNoise(model, compare(leg(tp()), leg(tp()), rules, model))
  const judge = (c: string) => {
    const comparison = compare(leg(tp()), leg(c), rules, model)
    if (comparison === null) return []
    const explained = explainNoise(model, comparison, { clockWindowMs: 5 })
    return (toDivergence(comparison, rules.route, 20, explained).body?.paths ?? []).map((p) => [
      p.path,
      p.noise,
    ])
  }
  assert.deepEqual(judge(tp()), [['$.traceparent<traceparent>.parent_id', true]])
  assert.deepEqual(judge(tp('00')).sort(), [
    ['$.traceparent<traceparent>.flags', false],
    ['$.traceparent<traceparent>.parent_id', true],
  ])
  assert.ok(
    judge(tp('01', hex(32))).some(([p, noise]) => p === '$.traceparent<traceparent>.trace_id' && !noise),
  )
})

test('GET /noise suggests rules that reach inside structured strings, and none where no rule is needed', async () => {
  const { suggest } = await import('../../src/diff/noise-report.ts')
  const place = (key: string, path: string) => {
    const p = new NoiseModel(10).place(key, path)!
    p.changes = 1
    return p
  }
  assert.equal(
    suggest(place('json $.traceparent<traceparent>.parent_id', '$.traceparent')),
    'ignore = ["$.traceparent.parent_id"]',
  )
  assert.equal(suggest(place('json $.state<base64>.nonce', '$.state')), 'ignore = ["$.state.nonce"]')
  assert.match(suggest(place('json $.jobs.*<name>', "$.jobs['x']<name>")), /^# .*no rule needed/)
  assert.match(suggest(place('text order', 'line 3')), /^# .*no rule needed/)
})
