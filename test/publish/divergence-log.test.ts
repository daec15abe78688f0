import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DivergenceLog, type LoggedPair } from '../../src/publish/divergence-log.ts'
import { pairMessage, publication } from '../helpers/pair-fixture.ts'

function pair(id: string, route = '/api/{id}', fingerprint: string | null = 'fp-a', padding = 0): LoggedPair {
  const message = pairMessage({ bodyPadding: padding })
  message.id = id
  message.request.route = route
  if (fingerprint === null) delete message.divergence
  else message.divergence = { status: { reference: 200, candidate: 500 }, fingerprint }
  return publication('k', message)
}

const ids = (pairs: LoggedPair[]) => pairs.map((m) => m.summary.id)

test('an empty log lists nothing', () => {
  assert.deepEqual(new DivergenceLog(5).list(), [])
})

test('newest first', () => {
  const log = new DivergenceLog(5)
  for (const id of ['1', '2', '3']) log.add(pair(id))
  assert.deepEqual(ids(log.list()), ['3', '2', '1'])
})

test('the ring keeps only the last `capacity` messages', () => {
  const log = new DivergenceLog(3)
  for (let i = 1; i <= 8; i++) log.add(pair(String(i)))
  assert.deepEqual(ids(log.list()), ['8', '7', '6'])
})

test('exactly at capacity, and once around the ring', () => {
  const log = new DivergenceLog(3)
  for (const id of ['1', '2', '3']) log.add(pair(id))
  assert.deepEqual(ids(log.list()), ['3', '2', '1'])
  log.add(pair('4'))
  assert.deepEqual(ids(log.list()), ['4', '3', '2'])
})

test('filter by route pattern', () => {
  const log = new DivergenceLog(10)
  log.add(pair('1', '/a'))
  log.add(pair('2', '/b'))
  log.add(pair('3', '/a'))
  assert.deepEqual(ids(log.list({ route: '/a' })), ['3', '1'])
  assert.deepEqual(ids(log.list({ route: '/none' })), [])
})

test('filter by fingerprint', () => {
  const log = new DivergenceLog(10)
  log.add(pair('1', '/a', 'x'))
  log.add(pair('2', '/a', 'y'))
  log.add(pair('3', '/b', 'x'))
  assert.deepEqual(ids(log.list({ fingerprint: 'x' })), ['3', '1'])
})

test('filter by id', () => {
  const log = new DivergenceLog(10)
  for (const id of ['1', '2', '3']) log.add(pair(id))
  assert.deepEqual(ids(log.list({ id: '2' })), ['2'])
  assert.deepEqual(ids(log.list({ id: 'nope' })), [])
})

test('route and fingerprint filters combine', () => {
  const log = new DivergenceLog(10)
  log.add(pair('1', '/a', 'x'))
  log.add(pair('2', '/a', 'y'))
  log.add(pair('3', '/b', 'x'))
  assert.deepEqual(ids(log.list({ route: '/a', fingerprint: 'x' })), ['1'])
})

test('a message without a divergence never matches a fingerprint filter', () => {
  const log = new DivergenceLog(5)
  log.add(pair('1', '/api/{id}', null))
  assert.deepEqual(ids(log.list()), ['1'])
  assert.deepEqual(ids(log.list({ fingerprint: 'fp-a' })), [])
})

test('limit caps the newest matches, applied after filtering', () => {
  const log = new DivergenceLog(10)
  for (let i = 1; i <= 6; i++) log.add(pair(String(i), i % 2 ? '/odd' : '/even'))
  assert.deepEqual(ids(log.list({ limit: 2 })), ['6', '5'])
  assert.deepEqual(ids(log.list({ route: '/odd', limit: 2 })), ['5', '3'])
  assert.deepEqual(ids(log.list({ limit: 100 })), ['6', '5', '4', '3', '2', '1'])
  assert.deepEqual(log.list({ limit: 0 }), [])
})

test('capacity 0 keeps nothing', () => {
  const log = new DivergenceLog(0)
  log.add(pair('1'))
  log.add(pair('2'))
  assert.deepEqual(log.list(), [])
  assert.deepEqual(log.list({ limit: 5 }), [])
  assert.deepEqual(log.list({ route: '/api/{id}' }), [])
})

test('the byte cap drops the oldest messages first, and counts what it holds', () => {
  const one = pair('x', '/a', 'fp', 1000).value.length
  const log = new DivergenceLog(100, one * 3)
  for (let i = 1; i <= 5; i++) log.add(pair(String(i), '/a', 'fp', 1000))
  assert.deepEqual(ids(log.list()), ['5', '4', '3'])
  assert.ok(log.bytes <= one * 3)
  assert.equal(
    log.bytes,
    log.list().reduce((n, p) => n + p.value.length, 0),
  )
})

test('a message larger than the whole byte cap is not kept, and evicts nothing', () => {
  const small = pair('small', '/a', 'fp')
  const log = new DivergenceLog(10, small.value.length * 2)
  log.add(small)
  log.add(pair('huge', '/a', 'fp', 10_000))
  assert.deepEqual(ids(log.list()), ['small'])
})
