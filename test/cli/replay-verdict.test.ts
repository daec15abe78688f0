/**
 * The verdicts of `miffy replay`: stable, flaky, gone, for JSON paths, the status, headers, a
 * failed leg, and whole non-JSON bodies; and the paths miffy writes, read back.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { MISSING, parseConcretePath, valueAt } from '../../src/cli/json-path-value.ts'
import { type Answer, aspectsOf, judge } from '../../src/cli/replay-verdict.ts'

const ok = (body: unknown, status = 200, headers: Record<string, string> = {}): Answer => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
})

test('normalised paths are read back, escapes included', () => {
  assert.deepEqual(parseConcretePath('$'), [])
  assert.deepEqual(parseConcretePath("$.items[3].id['x-request-id']['it\\'s\\n']"), [
    'items',
    3,
    'id',
    'x-request-id',
    "it's\n",
  ])
  assert.equal(parseConcretePath('$..deep'), undefined)
  assert.equal(parseConcretePath('items'), undefined)
  assert.equal(valueAt({ a: [{ b: 1 }] }, ['a', 0, 'b']), 1)
  assert.equal(valueAt({ a: [] }, ['a', 0]), MISSING)
  assert.equal(valueAt({ a: null }, ['a']), null)
})

test('stable, flaky and gone per JSON path', () => {
  const message = {
    divergence: {
      body: { kind: 'json', paths: [{ path: '$.v' }, { path: '$.t' }, { path: '$.g' }], truncated: false },
      fingerprint: 'x',
    },
  }
  const results = judge(aspectsOf(message), {
    reference: [ok({ v: 1, t: 1, g: 1 }), ok({ v: 1, t: 2, g: 1 })],
    candidate: [ok({ v: 2, t: 9, g: 1 }), ok({ v: 2, t: 9, g: 1 })],
  })
  assert.deepEqual(
    results.map((r) => [r.path, r.verdict, r.reference, r.candidate]),
    [
      ['$.v', 'stable', ['1'], ['2']],
      ['$.t', 'flaky', ['1', '2'], ['9']],
      ['$.g', 'gone', ['1'], ['1']],
    ],
  )
})

test('object values compare by value, not key order; gzip bodies are decoded', () => {
  const message = {
    divergence: { body: { kind: 'json', paths: [{ path: '$.o' }], truncated: false }, fingerprint: 'x' },
  }
  const gz: Answer = {
    status: 200,
    headers: { 'content-encoding': 'gzip' },
    body: gzipSync('{"o":{"b":2,"a":1}}'),
  }
  const [r] = judge(aspectsOf(message), { reference: [ok({ o: { a: 1, b: 2 } })], candidate: [gz] })
  assert.equal(r!.verdict, 'gone')
})

test('status, a header, a failed leg', () => {
  const message = {
    divergence: {
      status: { reference: 200, candidate: 500 },
      headers: ['ETag'],
      error: { candidate: 'timeout' },
      fingerprint: 'x',
    },
  }
  const results = judge(aspectsOf(message), {
    reference: [ok({}, 200, { etag: 'a' }), ok({}, 200, { etag: 'a' })],
    candidate: [ok({}, 500, { etag: 'a' }), { error: 'timeout' }],
  })
  assert.deepEqual(
    results.map((r) => [r.path, r.verdict, r.candidate]),
    [
      ['status', 'flaky', ['500', '(no response)']],
      ['error', 'flaky', ['none', 'timeout']],
      ['header etag', 'flaky', ['a', '(no response)']],
    ],
  )
})

test('a secondary that disagrees with the reference makes the path flaky', () => {
  const message = {
    divergence: { body: { kind: 'json', paths: [{ path: '$.id' }], truncated: false }, fingerprint: 'x' },
  }
  const [r] = judge(aspectsOf(message), {
    reference: [ok({ id: 'a' })],
    secondary: [ok({ id: 'b' })],
    candidate: [ok({ id: 'c' })],
  })
  assert.deepEqual([r!.verdict, r!.secondary], ['flaky', ['"b"']])
})

test('a Rust miffy pair (no divergence): status and the whole body', () => {
  const results = judge(aspectsOf({ request: {} }), {
    reference: [{ status: 200, headers: {}, body: Buffer.from('hello') }],
    candidate: [{ status: 200, headers: {}, body: Buffer.from('hellO') }],
  })
  assert.deepEqual(
    results.map((r) => [r.path, r.verdict]),
    [
      ['status', 'gone'],
      ['body', 'stable'],
    ],
  )
})
