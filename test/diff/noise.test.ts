/**
 * Learning the noise from a reference and a secondary, and applying it to a candidate: a
 * difference is explained only where the same place changed in the same way.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compare, toDivergence } from '../../src/diff/compare.ts'
import type { LegResult } from '../../src/diff/model.ts'
import { explainNoise, explainStatus } from '../../src/diff/noise-apply.ts'
import { learnNoise } from '../../src/diff/noise-learn.ts'
import { NoiseModel } from '../../src/diff/noise-model.ts'
import { jsonLeg, options, rawLeg } from './legs.ts'

const rules = options({ compareHeaders: ['*'] })

/** Learns from each [reference, secondary] pair, then judges the candidate against the reference. */
function judge(
  pairs: [LegResult, LegResult][],
  reference: LegResult,
  candidate: LegResult,
  model = new NoiseModel(100),
) {
  for (const [r, s] of pairs) learnNoise(model, compare(r, s, rules, model))
  const comparison = compare(reference, candidate, rules, model)
  if (comparison === null) return { divergence: null, model }
  const explained = explainNoise(model, comparison, { clockWindowMs: 5 })
  return { divergence: toDivergence(comparison, rules.route, 20, explained), model }
}

const doc = (over: Record<string, unknown>) => jsonLeg({ name: 'Lamp', price: 12.5, ...over })

test('another value of the shape the noise showed is noise; an empty one or a bug marker is not', () => {
  const uuid = () => crypto.randomUUID()
  const learned: [LegResult, LegResult][] = [[doc({ request_id: uuid() }), doc({ request_id: uuid() })]]
  const ref = doc({ request_id: uuid() })
  assert.equal(judge(learned, ref, doc({ request_id: uuid() })).divergence?.noise_only, true)
  for (const bad of ['', 'undefined', 'null', '[object Object]', 12345]) {
    const d = judge(learned, ref, doc({ request_id: bad })).divergence
    assert.ok(d && !d.noise_only, `request_id = ${JSON.stringify(bad)} is a divergence`)
    assert.deepEqual(
      d.body?.paths.map((p) => [p.path, p.noise]),
      [['$.request_id', false]],
    )
  }
})

test('a difference at a place the noise never showed is a divergence, even in a noisy response', () => {
  const learned: [LegResult, LegResult][] = [[doc({ at: 'a1b2c3d4e5f6' }), doc({ at: 'f6e5d4c3b2a1' })]]
  const d = judge(
    learned,
    doc({ at: '0011aabbccdd' }),
    jsonLeg({ name: 'Lamp', price: 13.5, at: 'ffeeddccbbaa' }),
  ).divergence
  assert.ok(d && !d.noise_only)
  assert.deepEqual(d.body?.paths.map((p) => [p.path, p.noise]).sort(), [
    ['$.at', true],
    ['$.price', false],
  ])
  assert.equal(d.explained, 1)
})

test('numbers: within what the noise moved them is noise; further, or a unit change, is not', () => {
  const learned: [LegResult, LegResult][] = [
    [doc({ took_ms: 12 }), doc({ took_ms: 40 })],
    [doc({ took_ms: 9 }), doc({ took_ms: 25 })],
    [doc({ took_ms: 30 }), doc({ took_ms: 11 })],
  ]
  const ref = doc({ took_ms: 20 })
  // a slow call of the same kind: a factor within what the noise showed, squared
  assert.equal(judge(learned, ref, doc({ took_ms: 150 })).divergence?.noise_only, true)
  // seconds for milliseconds: near in absolute terms, a thousand times off
  assert.ok(!judge(learned, doc({ took_ms: 9000 }), doc({ took_ms: 9 })).divergence?.noise_only)
  // a counter that ticks by one or two between calls
  const ticks: [LegResult, LegResult][] = [
    [doc({ views: 1000 }), doc({ views: 1001 })],
    [doc({ views: 1003 }), doc({ views: 1005 })],
  ]
  assert.equal(judge(ticks, doc({ views: 1010 }), doc({ views: 1012 })).divergence?.noise_only, true)
  assert.ok(!judge(ticks, doc({ views: 1010 }), doc({ views: 0 })).divergence?.noise_only)
})

test('a missing key, a null, a type change: divergences unless the noise showed exactly that', () => {
  const learned: [LegResult, LegResult][] = [[doc({ cursor: 'abc' }), doc({ cursor: 'def' })]]
  const ref = doc({ cursor: 'xyz' })
  assert.ok(!judge(learned, ref, doc({})).divergence?.noise_only, 'missing')
  assert.ok(!judge(learned, ref, doc({ cursor: null })).divergence?.noise_only, 'null')
  // the noise showed the cursor null on one side: a null cursor is noise there
  const withNull: [LegResult, LegResult][] = [...learned, [doc({ cursor: 'ghi' }), doc({ cursor: null })]]
  assert.equal(judge(withNull, ref, doc({ cursor: null })).divergence?.noise_only, true)
  // an optional member the noise showed present on one side only
  const optional: [LegResult, LegResult][] = [[doc({ hint: 'x' }), doc({})]]
  assert.equal(judge(optional, doc({ hint: 'y' }), doc({})).divergence?.noise_only, true)
})

test('arrays: an order the noise showed varying is noise; a lost element or another length is not', () => {
  const learned: [LegResult, LegResult][] = [[doc({ tags: ['a', 'b', 'c'] }), doc({ tags: ['c', 'a', 'b'] })]]
  const ref = doc({ tags: ['b', 'c', 'a'] })
  assert.equal(judge(learned, ref, doc({ tags: ['a', 'c', 'b'] })).divergence?.noise_only, true)
  assert.ok(!judge(learned, ref, doc({ tags: ['a', 'c'] })).divergence?.noise_only)
  assert.ok(!judge(learned, ref, doc({ tags: ['a', 'c', 'x'] })).divergence?.noise_only)
  // an ordered list whose order the noise never showed varying
  assert.ok(!judge([], doc({ ranked: [1, 2, 3] }), doc({ ranked: [3, 2, 1] })).divergence?.noise_only)
  // lengths within what the noise showed
  const lengths: [LegResult, LegResult][] = [
    [doc({ recs: [1, 2, 3] }), doc({ recs: [4, 5, 6, 7] })],
    [doc({ recs: [1, 2] }), doc({ recs: [4, 5, 6] })],
  ]
  assert.equal(judge(lengths, doc({ recs: [7, 8, 9] }), doc({ recs: [1, 2] })).divergence?.noise_only, true)
  assert.ok(!judge(lengths, doc({ recs: [7, 8, 9] }), doc({ recs: [] })).divergence?.noise_only)
})

test('points in time: now stamped twice is equal; per-instance times may be days apart; a shifted now is not', () => {
  const now = Date.now()
  const iso = (ms: number) => new Date(ms).toISOString()
  // equal by meaning without any noise: the same "now" a few milliseconds apart
  assert.equal(compare(doc({ at: iso(now) }), doc({ at: iso(now + 3) }), rules), null)
  // a now-stamp an hour off (a time zone bug) is a divergence even where the noise showed ms
  const stamps: [LegResult, LegResult][] = [[doc({ at: iso(now) }), doc({ at: iso(now + 2) })]]
  assert.ok(!judge(stamps, doc({ at: iso(now) }), doc({ at: iso(now + 3_600_000) })).divergence?.noise_only)
  // and so is another format
  assert.ok(!judge(stamps, doc({ at: iso(now) }), doc({ at: String(now) })).divergence?.noise_only)
  // start times of two pods minutes apart: another deployment's start may be a day away
  const starts: [LegResult, LegResult][] = [
    [doc({ started_at: iso(now - 86_400_000) }), doc({ started_at: iso(now - 86_000_000) })],
  ]
  assert.equal(
    judge(starts, doc({ started_at: iso(now - 86_400_000) }), doc({ started_at: iso(now - 60_000) }))
      .divergence?.noise_only,
    true,
  )
})

test('header values are learned by part: a random code in a Location is noise, a lost state is not', () => {
  const loc = (v: string) => rawLeg('', { status: 302, headers: { location: v } })
  const learned: [LegResult, LegResult][] = [
    [loc('https://app/cb?code=Xa81jk2LmQ&state=s1'), loc('https://app/cb?code=p02KdmA91z&state=s1')],
  ]
  const ref = loc('https://app/cb?code=Q8dnA72kPz&state=s1')
  assert.equal(
    judge(learned, ref, loc('https://app/cb?code=Zz19kQm3Lp&state=s1')).divergence?.noise_only,
    true,
  )
  const lost = judge(learned, ref, loc('https://app/cb?code=Zz19kQm3Lp')).divergence
  assert.ok(lost && !lost.noise_only)
  assert.deepEqual(lost.headers, ['location'])
  assert.deepEqual(
    lost.header_paths?.map((p) => [p.path, p.noise]),
    [
      ['location<url>.query.state', false],
      ['location<url>.query.code', true],
    ],
  )
})

test('text: a CSRF token is noise once learned; a changed total on the same page is not', () => {
  const page = (token: string, total: string) =>
    rawLeg(
      `<html><form><input type="hidden" name="csrf_token" value="${token}"></form><td class="total">${total}</td></html>`,
      { headers: { 'content-type': 'text/html' } },
    )
  const learned: [LegResult, LegResult][] = [[page('a81kzP0qLm2x', '42.00'), page('Qm29xLpz81ka', '42.00')]]
  const ref = page('Zk20pqLm81xa', '42.00')
  assert.equal(judge(learned, ref, page('pL81qzA02kmX', '42.00')).divergence?.noise_only, true)
  const d = judge(learned, ref, page('pL81qzA02kmX', '43.00')).divergence
  assert.ok(d && !d.noise_only)
  assert.deepEqual(
    d.body?.paths.filter((p) => !p.noise).map((p) => p.candidate),
    ['43.00'],
  )
})

test('the fingerprint ignores what noise explains: the same regression in different noise groups together', () => {
  const uuid = () => crypto.randomUUID()
  const learned: [LegResult, LegResult][] = [[doc({ id: uuid() }), doc({ id: uuid() })]]
  const a = judge(learned, doc({ id: uuid() }), doc({ id: uuid(), price: 99 })).divergence
  const b = judge(learned, doc({ id: uuid() }), doc({ id: uuid(), price: 98 })).divergence
  const c = judge([], doc({ id: 'same' }), doc({ id: 'same', price: 97 })).divergence
  assert.equal(a?.fingerprint, b?.fingerprint)
  assert.equal(a?.fingerprint, c?.fingerprint)
})

test('nothing is learned from a secondary that failed or answered another status', () => {
  const model = new NoiseModel(100)
  learnNoise(model, compare(doc({ v: 1 }), jsonLeg({ error: 'x' }, { status: 500 }), rules))
  learnNoise(model, compare(doc({ v: 1 }), { ok: false, error: 'timeout', durationMs: 1 }, rules))
  assert.equal(model.samples, 0)
  assert.equal(model.skipped, 2)
  assert.equal(model.size, 0)
})

test('the model is bounded: past max places nothing new is learned, and that is counted', () => {
  const model = new NoiseModel(3)
  const wide = (n: number) => jsonLeg(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, n])))
  learnNoise(model, compare(wide(1), wide(2), rules))
  assert.equal(model.size, 3)
  assert.equal(model.overflow, 7)
})

test('base64 JSON state: a new nonce and issue time inside are noise; a changed currency or amount is not', () => {
  const state = (over: Record<string, unknown>) =>
    Buffer.from(
      JSON.stringify({ v: 1, cart: 'cart_9b940c104b1471a8', amount: 45310, currency: 'EUR', ...over }),
    ).toString('base64')
  const iat = 1_796_180_153
  const nonce = () => Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString('base64url')
  const session = (over: Record<string, unknown>) =>
    doc({ client_state: state({ iat, nonce: nonce(), ...over }) })
  const learned: [LegResult, LegResult][] = [
    [session({}), session({ iat: iat + 1 })],
    [session({}), session({})],
  ]
  const ref = session({})
  assert.equal(judge(learned, ref, session({ iat: iat + 1 })).divergence?.noise_only, true)
  for (const [over, path] of [
    [{ currency: 'USD' }, '$.client_state<base64>.currency'],
    [{ amount: 453.1 }, '$.client_state<base64>.amount'],
  ] as const) {
    const d = judge(learned, ref, session(over)).divergence
    assert.ok(d && !d.noise_only, path)
    assert.deepEqual(
      d.body?.paths.filter((p) => !p.noise).map((p) => p.path),
      [path],
    )
  }
})

test('token case: another upper-case ULID is noise; a lower-case one is not, unless the noise showed both cases', () => {
  const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
  const ulid = () =>
    `01M8TAG5SE${Array.from({ length: 16 }, () => CROCKFORD[Math.floor(Math.random() * 32)]).join('')}`
  const learned: [LegResult, LegResult][] = [
    [doc({ id: ulid() }), doc({ id: ulid() })],
    [doc({ id: ulid() }), doc({ id: ulid() })],
  ]
  const ref = doc({ id: ulid() })
  assert.equal(judge(learned, ref, doc({ id: ulid() })).divergence?.noise_only, true)
  const lower = judge(learned, ref, doc({ id: ulid().toLowerCase() })).divergence
  assert.ok(lower && !lower.noise_only)
  assert.deepEqual(
    lower.body?.paths.map((p) => [p.path, p.noise]),
    [['$.id', false]],
  )
  // ids whose case varies by themselves: then any case is another id
  const mixed: [LegResult, LegResult][] = [[doc({ id: ulid() }), doc({ id: 'xXyhIoL6yTrYp2nhQm29xLpz' })]]
  assert.equal(judge(mixed, ref, doc({ id: ulid().toLowerCase() })).divergence?.noise_only, true)
  // a short random token that happened to come out without a lower-case letter
  const short: [LegResult, LegResult][] = [
    [doc({ csrf: 'a81kzP0qLm2xQ8dn' }), doc({ csrf: 'Qm29xLpz81kaZk20' })],
  ]
  assert.equal(
    judge(short, doc({ csrf: 'pL81qzA02kmXa9Qe' }), doc({ csrf: 'K8Q2ZP0X4MN7B1RT' })).divergence?.noise_only,
    true,
  )
})

test('relative times: another "ago" within what the noise moved is noise; minutes turned hours are not', () => {
  const team = (...lastSeen: string[]) =>
    doc({ members: lastSeen.map((last_seen, i) => ({ user: `u${i}`, last_seen })) })
  // each instance heard each member's last heartbeat at another moment
  const learned: [LegResult, LegResult][] = [
    [
      team('17 minutes ago', '2 hours ago', 'just now'),
      team('42 minutes ago', 'an hour ago', '42 seconds ago'),
    ],
    [
      team('3 minutes ago', '4 hours ago', '5 hours ago'),
      team('25 minutes ago', '3 hours ago', '2 hours ago'),
    ],
    [
      team('8 minutes ago', '30 seconds ago', '2 hours ago'),
      team('12 minutes ago', '2 hours ago', '3 hours ago'),
    ],
  ]
  const ref = team('5 minutes ago', '3 hours ago', 'just now')
  assert.equal(
    judge(learned, ref, team('40 minutes ago', '2 hours ago', '17 minutes ago')).divergence?.noise_only,
    true,
  )
  const d = judge(learned, ref, team('10 hours ago', '2 hours ago', '17 minutes ago')).divergence
  assert.ok(d && !d.noise_only)
  assert.deepEqual(
    d.body?.paths.filter((p) => !p.noise).map((p) => [p.path, p.candidate]),
    [['$.members[0].last_seen', '10 hours ago']],
  )
  // where the noise moved it by seconds, the next minute is still the same "now", rounded
  const quiet: [LegResult, LegResult][] = [[doc({ seen: '40 seconds ago' }), doc({ seen: '45 seconds ago' })]]
  assert.equal(
    judge(quiet, doc({ seen: '17 minutes ago' }), doc({ seen: '18 minutes ago' })).divergence?.noise_only,
    true,
  )
  assert.ok(
    !judge(quiet, doc({ seen: '17 minutes ago' }), doc({ seen: '17 hours ago' })).divergence?.noise_only,
  )
})

test('a random hex id that happens to be all digits is another id of the same kind', () => {
  const hex12 = () =>
    Array.from({ length: 12 }, () => 'abcdef0123456789'[Math.floor(Math.random() * 16)]).join('')
  const learned: [LegResult, LegResult][] = Array.from({ length: 5 }, () => [
    doc({ connection: `a${hex12().slice(1)}` }),
    doc({ connection: `b${hex12().slice(1)}` }),
  ])
  const ref = doc({ connection: '7348177ac8cc' })
  assert.equal(judge(learned, ref, doc({ connection: '221648008082' })).divergence?.noise_only, true)
  // a number of another length is not
  assert.ok(!judge(learned, ref, doc({ connection: '2216480' })).divergence?.noise_only)
})

test('a per-node number (each instance its own, steady) takes any value of the same kind; jitter and shared counters do not', () => {
  const model = () => new NoiseModel(100)
  const judgeWith = (pairs: [LegResult, LegResult][], ref: LegResult, cand: LegResult) =>
    judge(pairs, ref, cand, model()).divergence
  // a cache lifetime of 60 on the reference, 300 on the secondary, every time; a GC counter
  // since start that ticks on each node
  const perNode: [LegResult, LegResult][] = Array.from({ length: 12 }, (_, i) => [
    doc({ ttl_s: 60, gc_cycles: 3602 + i }),
    doc({ ttl_s: 300, gc_cycles: 1240 + i }),
  ])
  const ref = doc({ ttl_s: 60, gc_cycles: 3614 })
  assert.equal(judgeWith(perNode, ref, doc({ ttl_s: 3600, gc_cycles: 12 }))?.noise_only, true)
  // far from anything the noise showed, and of another kind: a fraction, a negative, a string
  for (const bad of [9000.5, -9000, '60']) {
    const d = judgeWith(perNode, ref, doc({ ttl_s: bad, gc_cycles: 3614 }))
    assert.ok(d && !d.noise_only, `ttl_s = ${JSON.stringify(bad)} is a divergence`)
  }
  // seen too few times: only as far as the noise moved it
  assert.ok(!judgeWith(perNode.slice(0, 3), ref, doc({ ttl_s: 90_000, gc_cycles: 3614 }))?.noise_only)
  // latency jitter: differing by varying amounts, so no per-node value
  const jitter: [LegResult, LegResult][] = Array.from({ length: 12 }, (_, i) => [
    doc({ took_ms: 20 + i }),
    doc({ took_ms: 20 + ((i * 7) % 13) + 1 }),
  ])
  assert.ok(!judgeWith(jitter, doc({ took_ms: 25 }), doc({ took_ms: 4000 }))?.noise_only)
  // a shared counter: ticks small beside its value
  const shared: [LegResult, LegResult][] = Array.from({ length: 12 }, (_, i) => [
    doc({ views: 10_000 + 2 * i }),
    doc({ views: 10_001 + 2 * i }),
  ])
  assert.ok(!judgeWith(shared, doc({ views: 10_030 }), doc({ views: 12 }))?.noise_only)
})

test('statuses the secondary answered too (200 ready, 202 pending) are noise, learned apart from same-status pairs', () => {
  const ready = () => jsonLeg({ status: 'ready', url: '/r/1.png', bytes: 10982 })
  const pending = () =>
    jsonLeg({ status: 'pending', job_id: crypto.randomUUID(), poll_after_ms: 500 }, { status: 202 })
  const model = new NoiseModel(100)
  for (let i = 0; i < 10; i++) {
    learnNoise(model, compare(ready(), pending(), rules, model))
    learnNoise(model, compare(ready(), ready(), rules, model))
  }
  assert.deepEqual([...model.statusPairs], ['200|202'])
  const judgeStatus = (r: LegResult, c: LegResult) => {
    const comparison = compare(r, c, rules, model)
    if (comparison === null) return null
    return toDivergence(
      comparison,
      rules.route,
      20,
      explainNoise(model, comparison, { clockWindowMs: 5 }),
      explainStatus(model, comparison),
    )
  }
  assert.equal(judgeStatus(ready(), pending())?.noise_only, true)
  // what a pending answer lacks says nothing of a ready one
  const lost = judgeStatus(ready(), jsonLeg({ status: 'ready', url: '/r/1.png' }))
  assert.ok(lost && !lost.noise_only, 'a ready answer without bytes is a divergence')
  // a status the noise never showed; and 5xx is never learned
  assert.ok(!judgeStatus(ready(), jsonLeg({ error: 'boom' }, { status: 500 }))?.noise_only)
  const before = model.skipped
  learnNoise(model, compare(ready(), jsonLeg({ error: 'boom' }, { status: 503 }), rules, model))
  assert.equal(model.skipped, before + 1)
  assert.deepEqual([...model.statusPairs], ['200|202'])
})

test('a nil UUID where the noise showed UUIDs, and a token that lost its base64 padding, are divergences', () => {
  const b64 = () => Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64')
  const learned: [LegResult, LegResult][] = Array.from({ length: 6 }, () => [
    doc({ upload_id: crypto.randomUUID(), nonce: b64() }),
    doc({ upload_id: crypto.randomUUID(), nonce: b64() }),
  ])
  const ref = doc({ upload_id: crypto.randomUUID(), nonce: b64() })
  assert.equal(
    judge(learned, ref, doc({ upload_id: crypto.randomUUID(), nonce: b64() })).divergence?.noise_only,
    true,
  )
  const nil = judge(
    learned,
    ref,
    doc({ upload_id: '00000000-0000-0000-0000-000000000000', nonce: b64() }),
  ).divergence
  assert.deepEqual(
    nil?.body?.paths.filter((p) => !p.noise).map((p) => p.path),
    ['$.upload_id'],
  )
  const unpadded = judge(
    learned,
    ref,
    doc({ upload_id: crypto.randomUUID(), nonce: b64().replace(/=+$/, '') }),
  ).divergence
  assert.deepEqual(
    unpadded?.body?.paths.filter((p) => !p.noise).map((p) => p.path),
    ['$.nonce'],
  )
})
