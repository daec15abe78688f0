import assert from 'node:assert/strict'
import { test } from 'node:test'
import zlib from 'node:zlib'
import { toResponseRepr } from '../../src/diff/represent.ts'
import { failedLeg, rawLeg } from './legs.ts'

test('a failed leg is { error }', () => {
  assert.deepEqual(toResponseRepr(failedLeg('timeout'), 1000), { error: 'timeout' })
})

test('an answered leg keeps its headers as captured and shows the decoded body', () => {
  const headers = {
    'content-type': 'application/json',
    'content-encoding': 'gzip',
    'set-cookie': ['a=1', 'b=2'],
  }
  const leg = rawLeg(zlib.gzipSync('{"a":1}'), { status: 201, headers })
  assert.equal(
    JSON.stringify(toResponseRepr(leg, 1000)),
    JSON.stringify({ status: 201, headers, body: { type: 'json', value: { a: 1 } } }),
  )
})

test('an empty body is null', () => {
  assert.deepEqual(toResponseRepr(rawLeg('', { status: 204 }), 1000), {
    status: 204,
    headers: {},
    body: null,
  })
})

test('an undecodable body is shown as its wire bytes', () => {
  const headers = { 'content-type': 'application/json', 'content-encoding': 'gzip' }
  assert.deepEqual(toResponseRepr(rawLeg(Buffer.from([1, 2, 3]), { headers }), 1000), {
    status: 200,
    headers,
    body: { type: 'bytes', value: 'AQID' },
  })
  const big = zlib.gzipSync(Buffer.alloc(5000))
  const repr = toResponseRepr(rawLeg(big, { headers }), 1000)
  assert.ok('body' in repr)
  assert.deepEqual(repr.body, { type: 'bytes', value: big.toString('base64') })
})
