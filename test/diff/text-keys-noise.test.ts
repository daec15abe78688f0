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

const csv = (rows: string[]): LegResult =>
  rawLeg(`order,customer,total\n${rows.join('\n')}\n`, { headers: { 'content-type': 'text/csv' } })
const ROWS = [
  'ORD-1,ann@example.org,12.50',
  'ORD-2,bob@example.org,8.00',
  'ORD-3,cy@example.org,99.90',
  'ORD-4,di@example.org,1.25',
]
const shuffled = () => [...ROWS].sort(() => Math.random() - 0.5)

test('rows in another order are one order difference; the noise that showed it explains it, not a lost or changed row', () => {
  const plain = compare(csv(ROWS), csv([ROWS[2]!, ROWS[0]!, ROWS[1]!, ROWS[3]!]), rules, new NoiseModel(100))
  assert.deepEqual(
    plain?.differences.map((d) => d.change),
    ['order'],
  )
  const model = new NoiseModel(100)
  for (let i = 0; i < 20; i++) learnNoise(model, compare(csv(shuffled()), csv(shuffled()), rules, model))
  const judge = (c: LegResult) => {
    const comparison = compare(csv(shuffled()), c, rules, model)
    if (comparison === null) return []
    const explained = explainNoise(model, comparison, { clockWindowMs: 5 })
    return (toDivergence(comparison, rules.route, 20, explained).body?.paths ?? []).map((p) => [
      p.change,
      p.noise,
    ])
  }
  assert.ok(judge(csv(shuffled())).every(([, noise]) => noise))
  const lost = judge(csv(shuffled().slice(1)))
  assert.ok(
    lost.some(([change, noise]) => change === 'missing' && !noise),
    JSON.stringify(lost),
  )
  const changed = shuffled().map((r) => r.replace('99.90', '99.00'))
  assert.ok(
    judge(csv(changed)).some(([, noise]) => !noise),
    'a changed total in reordered rows is a divergence',
  )
})

test('markdown sections in another order, with their headings, are one order difference', () => {
  const md = (sections: [string, string[]][]) =>
    rawLeg(
      `# Release 1.38\n\n## Contents\n\n${sections.map(([h]) => `- [${h}](#${h.toLowerCase().replace(/ /g, '-')})`).join('\n')}\n\n${sections
        .map(([h, items]) => `## ${h}\n\n${items.map((i) => `- ${i}`).join('\n')}\n`)
        .join('\n')}`,
      { headers: { 'content-type': 'text/markdown' } },
    )
  const bug: [string, string[]] = [
    'Bug fixes',
    ['Fix VAT rounding (#1313)', 'Fix double charge on retry (#1315)'],
  ]
  const perf: [string, string[]] = ['Performance', ['Index orders by day (#1331)']]
  const docs: [string, string[]] = [
    'Documentation',
    ['Add migration guide (#1359)', 'Update API examples (#1394)'],
  ]
  const d = compare(md([bug, perf, docs]), md([docs, bug, perf]), rules, new NoiseModel(100))
  assert.deepEqual(
    d?.differences.map((x) => x.change),
    ['order'],
  )
})

test('a NAME:value property (iCalendar) is compared as its value, at a place of its own', () => {
  const ics = (start: string) =>
    rawLeg(`BEGIN:VEVENT\nUID:${crypto.randomUUID()}@x\nDTSTART:${start}\nSUMMARY:On call\nEND:VEVENT\n`, {
      headers: { 'content-type': 'text/calendar' },
    })
  const model = new NoiseModel(100)
  for (let i = 0; i < 20; i++)
    learnNoise(model, compare(ics('20241213T210000Z'), ics('20241213T210000Z'), rules, model))
  const comparison = compare(ics('20241213T210000Z'), ics('20241213T210000'), rules, model)
  const explained = comparison ? explainNoise(model, comparison, { clockWindowMs: 5 }) : []
  const d = comparison ? toDivergence(comparison, rules.route, 20, explained) : null
  const unexplained = (d?.body?.paths ?? []).filter((p) => !p.noise)
  assert.deepEqual(
    unexplained.map((p) => [p.reference, p.candidate]),
    [['20241213T210000Z', '20241213T210000']],
  )
})
