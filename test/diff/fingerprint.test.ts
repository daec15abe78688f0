import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import { divergenceOf as compare } from '../../src/diff/compare.ts'
import { jsonLeg, options } from './legs.ts'

function fp(reference: unknown, candidate: unknown, extra: Parameters<typeof options>[0] = {}): string {
  const divergence = compare(jsonLeg(reference), jsonLeg(candidate), options(extra))
  assert.ok(divergence)
  assert.match(divergence.fingerprint, /^[0-9a-f]{16}$/)
  return divergence.fingerprint
}

const items = (i: number, price: number) => ({
  items: Array.from({ length: 10 }, (_, j) => ({ price: j === i ? price : 0 })),
})

test('same kind of difference with different values and indices: same fingerprint', () => {
  assert.equal(fp(items(3, 1), items(3, 2)), fp(items(7, 10), items(7, 99)))
  assert.equal(fp({ a: 'x' }, { a: 'y' }), fp({ a: 1 }, { a: [2] }))
})

test('a different path, route, status pair or header set: a different fingerprint', () => {
  const base = fp({ a: 1, b: 1 }, { a: 2, b: 1 })
  assert.notEqual(base, fp({ a: 1, b: 1 }, { a: 1, b: 2 }))
  assert.notEqual(base, fp({ a: 1, b: 1 }, { a: 2, b: 1 }, { route: '/other' }))
  const header = (names: string[]) =>
    compare(
      jsonLeg(1, { headers: { 'x-a': '1', 'x-b': '1' } }),
      jsonLeg(1, { headers: { 'x-a': '2', 'x-b': '2' } }),
      options({ compareHeaders: names }),
    )!.fingerprint
  assert.equal(header(['x-a', 'x-b']), header(['x-b', 'x-a']))
  assert.notEqual(header(['x-a']), header(['x-a', 'x-b']))
  const status = (a: number, b: number) =>
    compare(jsonLeg(1, { status: a }), jsonLeg(1, { status: b }), options())!.fingerprint
  assert.equal(status(200, 500), status(200, 500))
  assert.notEqual(status(200, 500), status(200, 502))
  assert.notEqual(status(200, 500), status(500, 200))
})

test('missing on one side, on the other, or changed are different kinds', () => {
  const changed = fp({ a: 1 }, { a: 2 })
  const removed = fp({ a: 1 }, {})
  const added = fp({}, { a: 1 })
  assert.equal(new Set([changed, removed, added]).size, 3)
})

test('the path set is sorted and de-duplicated, so order and count do not matter', () => {
  assert.equal(fp({ a: 1, b: 1 }, { a: 2, b: 2 }), fp({ b: 1, a: 1 }, { b: 3, a: 3 }))
  assert.equal(fp([{ p: 1 }, { p: 1 }], [{ p: 2 }, { p: 2 }]), fp([{ p: 1 }], [{ p: 2 }]))
  // truncated lists hash only what they list, without the truncated flag
  const many = (n: number, v: number) => Array.from({ length: n }, () => ({ p: v }))
  assert.equal(fp(many(25, 1), many(25, 2)), fp(many(15, 1), many(15, 2)))
})

test('the recipe is the documented one', () => {
  const divergence = compare(
    jsonLeg({ a: 1 }, { status: 200 }),
    jsonLeg({ a: 1 }, { status: 500 }),
    options(),
  )!
  const expected = createHash('sha256')
    .update('miffy-fingerprint-v1\nroute "/api/{id}"\nstatus 200>500')
    .digest('hex')
    .slice(0, 16)
  assert.equal(divergence.fingerprint, expected)

  const body = compare(
    jsonLeg({ items: [{ p: 1 }, { q: 1 }] }, { headers: { 'x-b': '1', 'x-a': '1' } }),
    jsonLeg({ items: [{ p: 2 }, {}] }, { headers: { 'x-b': '2', 'x-a': '2' } }),
    options({ compareHeaders: ['x-b', 'x-a'] }),
  )!
  const lines = [
    'miffy-fingerprint-v1',
    'route "/api/{id}"',
    'headers x-a,x-b',
    'body json',
    'path -$.items[*].q',
    'path ~$.items[*].p',
  ]
  assert.equal(body.fingerprint, createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16))
})
