/** Strings that carry structure are compared by their parts: URLs, JWTs, JSON in a string. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { divergenceOf as compare } from '../../src/diff/compare.ts'
import { jsonLeg, options } from './legs.ts'

const paths = (d: ReturnType<typeof compare>) => d?.body?.paths.map((p) => [p.path, p.change])

test('a URL: origin, path segments and query parameters by name', () => {
  const d = compare(
    jsonLeg({ next: 'https://api.example/v1/items?cursor=abc&limit=20' }),
    jsonLeg({ next: 'https://api.example/v1/items?limit=50&cursor=abc' }),
    options(),
  )
  assert.deepEqual(paths(d), [['$.next<url>.query.limit', 'value']])
  const moved = compare(
    jsonLeg({ u: 'https://a.example/x/1' }),
    jsonLeg({ u: 'https://b.example/x/2' }),
    options(),
  )
  assert.deepEqual(paths(moved), [
    ['$.u<url>.origin', 'value'],
    ['$.u<url>.path[1]', 'value'],
  ])
})

test('a JWT: header and payload compared as JSON, so a wrong claim is named', () => {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
  const jwt = (claims: Record<string, unknown>, sig: string) =>
    `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}.${sig}`
  const d = compare(
    jsonLeg({ token: jwt({ sub: 'u1', aud: 'shop' }, 'sigA1b2C3d4E5f6') }),
    jsonLeg({ token: jwt({ sub: 'u1', aud: 'admin' }, 'sigZ9y8X7w6V5u4') }),
    options(),
  )
  assert.deepEqual(paths(d), [
    ['$.token<jwt>.payload.aud', 'value'],
    ['$.token<jwt>.signature', 'value'],
  ])
  // rules reach inside: the JWT's payload members by name
  const ignored = compare(
    jsonLeg({ token: jwt({ sub: 'u1', iat: 1 }, 's1s1s1s1s1') }),
    jsonLeg({ token: jwt({ sub: 'u1', iat: 2 }, 's1s1s1s1s1') }),
    options({ ignorePatterns: ['$.token.payload.iat'] }),
  )
  assert.equal(ignored, null)
})

test('JSON in a string is compared as JSON: member order does not matter, values do', () => {
  assert.equal(
    compare(jsonLeg({ data: '{"a":1,"b":2}' }), jsonLeg({ data: '{"b":2,"a":1}' }), options()),
    null,
  )
  assert.deepEqual(paths(compare(jsonLeg({ data: '{"a":1}' }), jsonLeg({ data: '{"a":2}' }), options())), [
    ['$.data<json>.a', 'value'],
  ])
})

test('words of a set written as a string, in another order, are one `order` difference', () => {
  const d = compare(jsonLeg({ scope: 'read write admin' }), jsonLeg({ scope: 'admin read write' }), options())
  assert.deepEqual(paths(d), [['$.scope', 'order']])
})
