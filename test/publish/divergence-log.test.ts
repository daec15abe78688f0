import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { PairMessage } from '../../src/diff/model.ts'
import { DivergenceLog } from '../../src/management/divergence-log.ts'

function message(id: string, route = '/api/{id}', fingerprint = 'fp-a'): PairMessage {
  return {
    id,
    timestamp: '2024-01-01T00:00:00.000Z',
    request: { method: 'GET', uri: '/api/1', route, params: {}, headers: {}, body: null },
    reference: { url: 'http://reference', response: { status: 200, headers: {}, body: null } },
    candidate: { url: 'http://candidate', response: { status: 500, headers: {}, body: null } },
    divergence: { status: { reference: 200, candidate: 500 }, fingerprint },
  }
}

const ids = (messages: PairMessage[]) => messages.map((m) => m.id)

test('an empty log lists nothing', () => {
  assert.deepEqual(new DivergenceLog(5).list(), [])
})

test('newest first', () => {
  const log = new DivergenceLog(5)
  for (const id of ['1', '2', '3']) log.add(message(id))
  assert.deepEqual(ids(log.list()), ['3', '2', '1'])
})

test('the ring keeps only the last `capacity` messages', () => {
  const log = new DivergenceLog(3)
  for (let i = 1; i <= 8; i++) log.add(message(String(i)))
  assert.deepEqual(ids(log.list()), ['8', '7', '6'])
})

test('exactly at capacity, and once around the ring', () => {
  const log = new DivergenceLog(3)
  for (const id of ['1', '2', '3']) log.add(message(id))
  assert.deepEqual(ids(log.list()), ['3', '2', '1'])
  log.add(message('4'))
  assert.deepEqual(ids(log.list()), ['4', '3', '2'])
})

test('filter by route pattern', () => {
  const log = new DivergenceLog(10)
  log.add(message('1', '/a'))
  log.add(message('2', '/b'))
  log.add(message('3', '/a'))
  assert.deepEqual(ids(log.list({ route: '/a' })), ['3', '1'])
  assert.deepEqual(ids(log.list({ route: '/none' })), [])
})

test('filter by fingerprint', () => {
  const log = new DivergenceLog(10)
  log.add(message('1', '/a', 'x'))
  log.add(message('2', '/a', 'y'))
  log.add(message('3', '/b', 'x'))
  assert.deepEqual(ids(log.list({ fingerprint: 'x' })), ['3', '1'])
})

test('route and fingerprint filters combine', () => {
  const log = new DivergenceLog(10)
  log.add(message('1', '/a', 'x'))
  log.add(message('2', '/a', 'y'))
  log.add(message('3', '/b', 'x'))
  assert.deepEqual(ids(log.list({ route: '/a', fingerprint: 'x' })), ['1'])
})

test('a message without a divergence never matches a fingerprint filter', () => {
  const log = new DivergenceLog(5)
  const { divergence: _, ...plain } = message('1')
  log.add(plain)
  assert.deepEqual(ids(log.list()), ['1'])
  assert.deepEqual(ids(log.list({ fingerprint: 'fp-a' })), [])
})

test('limit caps the newest matches, applied after filtering', () => {
  const log = new DivergenceLog(10)
  for (let i = 1; i <= 6; i++) log.add(message(String(i), i % 2 ? '/odd' : '/even'))
  assert.deepEqual(ids(log.list({ limit: 2 })), ['6', '5'])
  assert.deepEqual(ids(log.list({ route: '/odd', limit: 2 })), ['5', '3'])
  assert.deepEqual(ids(log.list({ limit: 100 })), ['6', '5', '4', '3', '2', '1'])
  assert.deepEqual(log.list({ limit: 0 }), [])
})

test('capacity 0 keeps nothing', () => {
  const log = new DivergenceLog(0)
  log.add(message('1'))
  log.add(message('2'))
  assert.deepEqual(log.list(), [])
  assert.deepEqual(log.list({ limit: 5 }), [])
  assert.deepEqual(log.list({ route: '/api/{id}' }), [])
})
