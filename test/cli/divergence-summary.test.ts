/**
 * The grouping behind `miffy diffs`: per route, per fingerprint (miffy) or status pair (Rust
 * miffy 1.0 messages, which have no divergence, id nor timestamp).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DivergenceSummary } from '../../src/cli/divergence-summary.ts'
import { pairMessage } from '../helpers/pair-fixture.ts'

const at = (offset: number, timestamp = '1700000000000') => ({
  partition: 0,
  offset: String(offset),
  timestamp,
})

test('miffy messages: one kind per fingerprint, with first and last seen and an example', () => {
  const s = new DivergenceSummary()
  const first = pairMessage({ overrides: { timestamp: '2026-01-01T10:00:00.000Z' } })
  const later = pairMessage({ overrides: { timestamp: '2026-01-01T12:00:00.000Z' } })
  const earlier = pairMessage({ overrides: { timestamp: '2026-01-01T09:00:00.000Z' } })
  for (const [i, m] of [first, later, earlier].entries()) s.add(JSON.stringify(m), at(i))
  const [route] = s.summary().routes
  assert.equal(route!.route, '/api/{value}')
  assert.deepEqual(route!.kinds, [
    {
      fingerprint: 'f1e2d3c4b5a69788',
      status: '200→200',
      count: 3,
      first_seen: '2026-01-01T09:00:00.000Z',
      last_seen: '2026-01-01T12:00:00.000Z',
      example_id: first.id,
      differs: ['$.items[2]'],
      truncated: false,
    },
  ])
})

test('status, headers and a failed leg are named in what differs', () => {
  const s = new DivergenceSummary()
  const m = pairMessage()
  m.candidate.response = { error: 'timeout' }
  m.divergence = { error: { candidate: 'timeout' }, headers: ['etag'], fingerprint: 'aa' }
  s.add(JSON.stringify(m), at(0))
  const kind = s.summary().routes[0]!.kinds[0]!
  assert.equal(kind.status, '200→error')
  assert.deepEqual(kind.differs, ['candidate error timeout', 'header etag'])
})

test('Rust miffy messages group by route and status pair, timed by the broker, named by offset', () => {
  const rust = (status: number) =>
    JSON.stringify({
      request: { method: 'GET', uri: '/x/1', route: '/x/{id}', params: { id: '1' }, body: null },
      reference: { url: 'http://r/x/1', response: { status: 200, headers: {}, body: null } },
      candidate: { url: 'http://c/x/1', response: { status, headers: {}, body: null } },
    })
  const s = new DivergenceSummary()
  s.add(rust(500), at(4, '1700000000000'))
  s.add(rust(500), at(5, '1700000060000'))
  s.add(rust(200), at(6, '1700000120000'))
  const [route] = s.summary().routes
  assert.equal(route!.count, 3)
  assert.deepEqual(
    route!.kinds.map((k) => [k.fingerprint, k.status, k.count, k.example_id, k.differs]),
    [
      [null, '200→500', 2, '0:4', ['status']],
      [null, '200→200', 1, '0:6', ['body']],
    ],
  )
  assert.equal(route!.kinds[0]!.first_seen, new Date(1700000000000).toISOString())
  assert.equal(route!.kinds[0]!.last_seen, new Date(1700000060000).toISOString())
})

test('values that are not divergence messages are counted as unreadable, not guessed at', () => {
  const s = new DivergenceSummary()
  s.add('not json', at(0))
  s.add(null, at(1))
  s.add('{"hello": 1}', at(2))
  assert.deepEqual(s.summary(), { messages: 3, unreadable: 3, routes: [] })
})

test('routes and kinds are listed most frequent first', () => {
  const s = new DivergenceSummary()
  const other = pairMessage({
    overrides: { divergence: { status: { reference: 200, candidate: 500 }, fingerprint: 'bb' } },
  })
  s.add(JSON.stringify(pairMessage()), at(0))
  s.add(JSON.stringify(other), at(1))
  s.add(JSON.stringify(other), at(2))
  assert.deepEqual(
    s.summary().routes[0]!.kinds.map((k) => [k.fingerprint, k.count]),
    [
      ['bb', 2],
      ['f1e2d3c4b5a69788', 1],
    ],
  )
})
