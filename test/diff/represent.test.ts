import assert from 'node:assert/strict'
import { test } from 'node:test'
import zlib from 'node:zlib'
import { divergenceOf as compare } from '../../src/diff/compare.ts'
import { toResponseRepr } from '../../src/diff/represent.ts'
import { failedLeg, jsonLeg, options, rawLeg } from './legs.ts'

test("a failed leg is { error } with the Rust miffy's word, and our word in error_detail", () => {
  assert.deepEqual(toResponseRepr(failedLeg('timeout'), 1000), { error: 'request', error_detail: 'timeout' })
  assert.deepEqual(toResponseRepr(failedLeg('connection'), 1000), {
    error: 'request',
    error_detail: 'connection',
  })
  assert.deepEqual(toResponseRepr({ ok: false, error: 'reset', phase: 'body', durationMs: 1 }, 1000), {
    error: 'body',
    error_detail: 'reset',
  })
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

test('a pair compared first and represented after gives the message it gives alone', () => {
  const gz = { 'content-type': 'application/json', 'content-encoding': 'gzip' }
  const cases = [
    [jsonLeg({ a: 1, b: [1, 2] }), jsonLeg({ a: 2, b: [1, 2] })],
    // unsafe integers: compared as bigint, written to the topic as the digits on the wire
    [jsonLeg('{"id":12345678901234567890,"n":1}'), jsonLeg('{"id":12345678901234567891,"n":1}')],
    [rawLeg(zlib.gzipSync('{"a":1}'), { headers: gz }), rawLeg(zlib.gzipSync('{"a":2}'), { headers: gz })],
    [jsonLeg('not json {'), jsonLeg('not json }')],
  ] as const
  for (const [reference, candidate] of cases) {
    // the same bytes in fresh buffers: nothing remembered from a comparison
    const fresh = (leg: typeof reference) => (leg.ok ? { ...leg, body: Buffer.from(leg.body) } : leg)
    const alone = JSON.stringify([
      toResponseRepr(fresh(reference), 1000),
      toResponseRepr(fresh(candidate), 1000),
    ])
    assert.notEqual(compare(reference, candidate, options()), null)
    const after = JSON.stringify([toResponseRepr(reference, 1000), toResponseRepr(candidate, 1000)])
    assert.equal(after, alone)
  }
  const big = JSON.stringify(toResponseRepr(cases[1][0], 1000))
  assert.match(big, /"id":12345678901234567890,/)
})
