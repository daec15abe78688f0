/** Strings that carry structure are compared by their parts: URLs, JWTs, JSON in a string, base64 JSON. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { divergenceOf as compare } from '../../src/diff/compare.ts'
import { structure } from '../../src/diff/structured-string.ts'
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

test('base64 (standard or base64url, padded or not) of a JSON object or array is compared as JSON', () => {
  const state = (over: Record<string, unknown>) => ({
    v: 1,
    cart: 'cart_9b940c104b1471a8',
    amount: 45310,
    currency: 'EUR',
    iat: 1_796_180_153,
    nonce: 'xXyhIoL6yTrYp2nh',
    ...over,
  })
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64')
  const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
  // padded standard base64, with `+` and `/` in it
  const tricky = { note: '>>>???~~~', list: [1, 2, 3] }
  assert.match(b64(tricky), /[+/].*=$/)
  assert.deepEqual(structure(b64(tricky)), { kind: 'b64json', value: tricky })
  assert.deepEqual(structure(b64url(tricky)), { kind: 'b64json', value: tricky })
  assert.deepEqual(structure(b64([1, 2, 3, 4, 5, 6, 7])), { kind: 'b64json', value: [1, 2, 3, 4, 5, 6, 7] })
  const d = compare(
    jsonLeg({ client_state: b64(state({})) }),
    jsonLeg({ client_state: b64(state({ currency: 'USD', nonce: 'Fd7XytCZW6kimAxO' })) }),
    options(),
  )
  assert.deepEqual(paths(d), [
    ['$.client_state<base64>.currency', 'value'],
    ['$.client_state<base64>.nonce', 'value'],
  ])
  // rules reach inside, as for JSON in a string
  const ignored = compare(
    jsonLeg({ s: b64url(state({})) }),
    jsonLeg({ s: b64url(state({ nonce: 'Fd7XytCZW6kimAxO' })) }),
    options({ ignorePatterns: ['$.s.nonce'] }),
  )
  assert.equal(ignored, null)
  // the same JSON written plainly on one side is another value, not the same state
  assert.deepEqual(
    paths(compare(jsonLeg({ s: b64(state({})) }), jsonLeg({ s: JSON.stringify(state({})) }), options())),
    [['$.s', 'value']],
  )
})

test('hex digests, random tokens, JWTs and base64 of anything but JSON are not base64 JSON', () => {
  const hexDigest = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
  assert.equal(structure(hexDigest), undefined)
  assert.equal(structure('eyJhIjoxfQ'), undefined, 'shorter than 16')
  assert.equal(structure('WxYzAbCdEfGhIjKlMnOp'), undefined, 'a random token')
  assert.equal(structure(Buffer.from('{not json at all}').toString('base64')), undefined)
  assert.equal(structure(Buffer.from('"a string, not an object"').toString('base64')), undefined)
  assert.equal(structure(`${Buffer.from('{"a":1,"bc":22}').toString('base64url')}x`), undefined, 'length')
  assert.equal(structure('eyJhIjoxLCJiIjoy+_fQ'), undefined, 'both alphabets')
  const latin1 = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe9, 0xe9, 0x22, 0x7d, 0x7b, 0x7d])
  assert.equal(structure(latin1.toString('base64')), undefined, 'not UTF-8')
  const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
  const jwt = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: 'u1' })}.c2lnbmF0dXJl`
  assert.equal(structure(jwt)?.kind, 'jwt')
})

test('words of a set written as a string, in another order, are one `order` difference', () => {
  const d = compare(jsonLeg({ scope: 'read write admin' }), jsonLeg({ scope: 'admin read write' }), options())
  assert.deepEqual(paths(d), [['$.scope', 'order']])
})
