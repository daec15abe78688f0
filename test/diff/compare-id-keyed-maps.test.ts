/**
 * Maps keyed by generated ids (`{"jobs": {"<uuid>": {...}}}`): two nodes name the same entries
 * differently, so the entries are compared as a collection, paired by content. A renamed entry
 * differs by its name only, which noise of names explains; a lost entry is a member count the
 * noise never showed changing; a changed entry is a difference inside it.
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
const uuid = () => crypto.randomUUID()
const ulid = () => {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
  return Array.from({ length: 26 }, () => alphabet[Math.floor(Math.random() * 32)]).join('')
}

interface Job {
  sku: string
  status: string
  position: number
  reason?: string
}
const JOBS: Job[] = [
  { sku: 'SKU-1', status: 'queued', position: 1 },
  { sku: 'SKU-2', status: 'queued', position: 2 },
  { sku: 'SKU-3', status: 'queued', position: 3 },
]

function batch(jobs: Job[], key: () => string = uuid): LegResult {
  return jsonLeg({ batch: 'b-1', jobs: Object.fromEntries(jobs.map((j) => [key(), j])) })
}

function paths(r: LegResult, c: LegResult, model?: NoiseModel) {
  const comparison = compare(r, c, rules, model ?? new NoiseModel(100))
  if (comparison === null) return []
  const explained = model ? explainNoise(model, comparison, { clockWindowMs: 5 }) : undefined
  const d = toDivergence(comparison, rules.route, 50, explained)
  return (d.body?.paths ?? []).map((p) => ({ path: p.path, noise: p.noise }))
}

test('the same entries under other generated names differ only by their names, which noise of names explains', () => {
  const token = () => `sess_${uuid().replace(/-/g, '').slice(0, 12)}Ab${Math.floor(Math.random() * 1e6)}`
  for (const key of [uuid, ulid, token]) {
    const renamed = paths(batch(JOBS, key), batch([...JOBS].reverse(), key))
    assert.equal(renamed.length, 3, JSON.stringify(renamed))
    assert.ok(
      renamed.every((p) => p.path.endsWith('<name>')),
      JSON.stringify(renamed),
    )
    const model = new NoiseModel(100)
    for (let i = 0; i < 20; i++) learnNoise(model, compare(batch(JOBS, key), batch(JOBS, key), rules, model))
    const judged = paths(batch(JOBS, key), batch([...JOBS].reverse(), key), model)
    assert.ok(
      judged.every((p) => p.noise),
      JSON.stringify(judged),
    )
  }
})

test('entries renamed where the noise never renamed them are a divergence (u_1001 for u_1002)', () => {
  const stable = (ids: string[]) =>
    jsonLeg({ users: Object.fromEntries(ids.map((id, i) => [id, { name: `n${i}` }])) })
  const model = new NoiseModel(100)
  for (let i = 0; i < 20; i++)
    learnNoise(model, compare(stable(['u_1001', 'u_1002']), stable(['u_1001', 'u_1002']), rules, model))
  const shifted = paths(stable(['u_1001', 'u_1002']), stable(['u_1002', 'u_1003']), model)
  assert.ok(shifted.length > 0 && shifted.every((p) => !p.noise), JSON.stringify(shifted))
})

test('a lost entry is a member count and a missing entry; a changed one a difference inside it', () => {
  const entries = (ps: { path: string }[]) => ps.filter((p) => !p.path.endsWith('<name>'))
  const lost = entries(paths(batch(JOBS), batch([JOBS[0]!, JOBS[2]!])))
  assert.equal(lost[0]?.path, '$.jobs', 'the member count comes first')
  assert.equal(lost.length, 2)
  assert.match(lost[1]!.path, /^\$\.jobs\['[0-9a-f-]{36}'\]$/)

  const changed = entries(
    paths(batch(JOBS), batch([JOBS[0]!, JOBS[1]!, { ...JOBS[2]!, status: 'rejected', reason: 'quota' }])),
  )
  assert.deepEqual(changed.map((p) => p.path.replace(/\['[^']+'\]/, '[id]')).sort(), [
    '$.jobs[id].reason',
    '$.jobs[id].status',
  ])
})

test('noise learned from renamed entries does not explain a lost or changed entry', () => {
  const model = new NoiseModel(100)
  for (let i = 0; i < 20; i++) learnNoise(model, compare(batch(JOBS), batch(JOBS), rules, model))
  const reported = (ps: { path: string; noise?: boolean }[]) =>
    ps.filter((p) => !p.noise).map((p) => p.path.replace(/\['[^']+'\]/, '[id]'))
  const lost = paths(batch(JOBS), batch([JOBS[0]!, JOBS[2]!]), model)
  assert.deepEqual(reported(lost), ['$.jobs', '$.jobs[id]'], JSON.stringify(lost))
  const changed = paths(batch(JOBS), batch([JOBS[0]!, JOBS[1]!, { ...JOBS[2]!, status: 'rejected' }]), model)
  assert.deepEqual(reported(changed), ['$.jobs[id].status'], JSON.stringify(changed))
})

test('entries whose number varies in the noise: a count within what it showed is noise', () => {
  const model = new NoiseModel(100)
  const some = (n: number) => JOBS.slice(0, n)
  for (const [x, y] of [
    [1, 3],
    [2, 3],
    [3, 1],
    [2, 2],
  ] as const)
    learnNoise(model, compare(batch(some(x)), batch(some(y)), rules, model))
  const within = paths(batch(some(3)), batch(some(2)), model)
  assert.ok(within.length > 0 && within.every((p) => p.noise), JSON.stringify(within))
  const empty = paths(batch(some(3)), jsonLeg({ batch: 'b-1', jobs: {} }), model)
  assert.ok(
    empty.some((p) => p.path === '$.jobs' && !p.noise),
    JSON.stringify(empty),
  )
})

test('members with ordinary names are still compared by name', () => {
  const r = jsonLeg({ jobs: { first: JOBS[0], second: JOBS[1] } })
  const c = jsonLeg({ jobs: { first: JOBS[0], third: JOBS[1] } })
  assert.deepEqual(
    paths(r, c).map((p) => p.path),
    ['$.jobs.second', '$.jobs.third'],
  )
})
