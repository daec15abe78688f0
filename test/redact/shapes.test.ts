/** Redaction of each shape a secret travels in: headers, query strings, JSON, form bodies. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { redactHeaders } from '../../src/redact/headers.ts'
import { MAX_REDACT_DEPTH, pathNames, redactJson, redactJsonText, TOO_DEEP } from '../../src/redact/json.ts'
import { redactBody, redactDivergence } from '../../src/redact/pair.ts'
import { redactPairs, redactUrl } from '../../src/redact/query.ts'
import { REDACTED, Redactor } from '../../src/redact/redactor.ts'
import { redactText } from '../../src/redact/text.ts'
import { testConfig } from '../helpers/proxy.ts'

const r = new Redactor(testConfig({}))

test('headers: single and repeated values, others untouched, input unchanged', () => {
  const input = { cookie: 'sid=1', 'x-api-key': 'k', 'set-cookie': ['a=1', 'b=2'], 'x-user': ['u1', 'u2'] }
  assert.deepEqual(redactHeaders(input, r), {
    cookie: REDACTED,
    'x-api-key': REDACTED,
    'set-cookie': [REDACTED, REDACTED],
    'x-user': ['u1', 'u2'],
  })
  assert.equal(input.cookie, 'sid=1')
})

test('query strings: values of secret names, by their decoded name; order and the rest kept', () => {
  assert.equal(redactUrl('/a?x=1&token=abc&y=2', r), `/a?x=1&token=${REDACTED}&y=2`)
  assert.equal(redactUrl('/a?access%5Ftoken=abc&flag', r), `/a?access%5Ftoken=${REDACTED}&flag`)
  assert.equal(redactUrl('/a?API+KEY=1', r), `/a?API+KEY=${REDACTED}`)
  assert.equal(redactUrl('http://h:1/p?password=x', r), `http://h:1/p?password=${REDACTED}`)
  assert.equal(redactUrl('/a?bad%ZZtoken=1', r), `/a?bad%ZZtoken=${REDACTED}`)
  const clean = '/a?x=1&y=2'
  assert.equal(redactUrl(clean, r), clean)
  assert.equal(redactUrl('/no-query', r), '/no-query')
})

test('form bodies use the query syntax', () => {
  assert.equal(redactPairs('user=ada&password=hunter2', r), `user=ada&password=${REDACTED}`)
})

test('JSON: secret fields at any depth, whatever their value; a copy', () => {
  const input = { user: { name: 'ada', password: 'p', keys: [1, 2] }, items: [{ session: { id: 1 } }] }
  assert.deepEqual(redactJson(input, r), {
    user: { name: 'ada', password: REDACTED, keys: REDACTED },
    items: [{ session: REDACTED }],
  })
  assert.equal(input.user.password, 'p')
  const big = JSON.rawJSON('123456789012345678901')
  assert.equal((redactJson({ n: big }, r) as { n: unknown }).n, big)
})

test('JSON nested deeper than the walk goes is replaced whole, never shown unchecked', () => {
  let deep: unknown = { password: 'p' }
  for (let i = 0; i < MAX_REDACT_DEPTH + 5; i++) deep = [deep]
  assert.ok(!JSON.stringify(redactJson(deep, r)).includes('"p"'))
  assert.ok(JSON.stringify(redactJson(deep, r)).includes(TOO_DEEP))
})

test('JSON text that did not parse is redacted member by member', () => {
  assert.equal(
    redactJsonText('{"user":"ada","token": "abc", "n":1,"secret":12, "x":[{"apiKey":true}', r),
    `{"user":"ada","token": "${REDACTED}", "n":1,"secret":"${REDACTED}", "x":[{"apiKey":"${REDACTED}"}`,
  )
  const deep = `${'['.repeat(100_000)}{"password":"p"}${']'.repeat(100_000)}`
  assert.ok(!redactJsonText(deep, r).includes('"p"'))
})

test('bodies: JSON by value, forms by content type, JSON-typed bytes by text, other bytes as they are', () => {
  assert.deepEqual(redactBody({ type: 'json', value: { token: 't', a: 1 } }, {}, r), {
    type: 'json',
    value: { token: REDACTED, a: 1 },
  })
  const form = redactBody(
    { type: 'bytes', value: Buffer.from('a=1&session=s').toString('base64') },
    { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    r,
  )
  assert.equal(Buffer.from((form as { value: string }).value, 'base64').toString(), `a=1&session=${REDACTED}`)
  const broken = redactBody(
    { type: 'bytes', value: Buffer.from('{"password":"p",').toString('base64') },
    { 'content-type': 'application/json' },
    r,
  )
  assert.equal(
    Buffer.from((broken as { value: string }).value, 'base64').toString(),
    `{"password":"${REDACTED}",`,
  )
  const text = { type: 'bytes' as const, value: Buffer.from('password=x').toString('base64') }
  assert.equal(redactBody(text, { 'content-type': 'text/plain' }, r), text)
  assert.equal(redactBody(null, {}, r), null)
})

test('differing values: hidden when the path runs through a secret field, else redacted inside', () => {
  assert.deepEqual(pathNames("$.user['api-key'][3].x"), ['user', 'api-key', 'x'])
  const d = redactDivergence(
    {
      fingerprint: 'f',
      body: {
        kind: 'json',
        truncated: false,
        paths: [
          { path: '$.user.password', reference: 'a', candidate: 'b' },
          { path: "$['x-auth'][0]", reference: 1 },
          { path: '$.profile', reference: { name: 'ada', token: 't' }, candidate: null },
          { path: '$.count', reference: 1, candidate: 2 },
        ],
      },
    },
    r,
  )
  assert.deepEqual(d.body!.paths, [
    { path: '$.user.password', reference: REDACTED, candidate: REDACTED },
    { path: "$['x-auth'][0]", reference: REDACTED },
    { path: '$.profile', reference: { name: 'ada', token: REDACTED }, candidate: null },
    { path: '$.count', reference: 1, candidate: 2 },
  ])
  assert.equal(d.fingerprint, 'f')
})

test('header differences: hidden for a secret header or part, else redacted by pattern', () => {
  const d = redactDivergence(
    {
      fingerprint: 'f',
      headers: ['x-session-id', 'location', 'set-cookie'],
      header_paths: [
        { path: 'x-session-id', reference: 'a', candidate: 'b' },
        { path: 'location<url>.query.token', reference: 'a', candidate: 'b' },
        { path: 'set-cookie lang', reference: 'en', candidate: 'fr' },
        { path: 'location', reference: '/next?page=2&api_key=k1', candidate: '/next?page=3&api_key=k1' },
      ],
    },
    r,
  )
  assert.deepEqual(d.header_paths, [
    { path: 'x-session-id', reference: REDACTED, candidate: REDACTED },
    { path: 'location<url>.query.token', reference: REDACTED, candidate: REDACTED },
    { path: 'set-cookie lang', reference: REDACTED, candidate: REDACTED },
    {
      path: 'location',
      reference: `/next?page=2&api_key=${REDACTED}`,
      candidate: `/next?page=3&api_key=${REDACTED}`,
    },
  ])
})

test('text body differences: hidden when shown after a secret name, else redacted by pattern', () => {
  const d = redactDivergence(
    {
      fingerprint: 'f',
      body: {
        kind: 'text',
        truncated: false,
        paths: [
          { path: 'line 2 after "password="', reference: 'hunter2', candidate: 'hunter3' },
          { path: 'line 5', reference: 'user=ada&secret=s1', candidate: 'user=bob&secret=s1' },
          { path: 'line 7', reference: 'Authorization: Bearer abc' },
          { path: 'line 9 after "Total:"', reference: '12', candidate: '13' },
        ],
      },
    },
    r,
  )
  assert.deepEqual(d.body!.paths, [
    { path: 'line 2 after "password="', reference: REDACTED, candidate: REDACTED },
    { path: 'line 5', reference: `user=ada&secret=${REDACTED}`, candidate: `user=bob&secret=${REDACTED}` },
    { path: 'line 7', reference: `Authorization: ${REDACTED}` },
    { path: 'line 9 after "Total:"', reference: '12', candidate: '13' },
  ])
})

test('multipart body differences: each read by what follows its part', () => {
  const d = redactDivergence(
    {
      fingerprint: 'f',
      body: {
        kind: 'multipart',
        truncated: false,
        paths: [
          { path: 'part[2] $.user.password', reference: 'a', candidate: 'b' },
          { path: 'part[1] http $.profile', reference: { token: 't', name: 'ada' } },
          { path: 'part[1] header authorization', reference: 'Bearer a', candidate: 'Bearer b' },
          { path: 'part[1] http header x-session-id', reference: 'a', candidate: 'b' },
          { path: 'part[3] line 2 after "password="', reference: 'hunter2', candidate: 'hunter3' },
          { path: 'part[4]', reference: 'user=ada&secret=s1' },
          { path: 'part[2] $.price', reference: 1, candidate: 2 },
        ],
      },
    },
    r,
  )
  assert.deepEqual(d.body!.paths, [
    { path: 'part[2] $.user.password', reference: REDACTED, candidate: REDACTED },
    { path: 'part[1] http $.profile', reference: { token: REDACTED, name: 'ada' } },
    { path: 'part[1] header authorization', reference: REDACTED, candidate: REDACTED },
    { path: 'part[1] http header x-session-id', reference: REDACTED, candidate: REDACTED },
    { path: 'part[3] line 2 after "password="', reference: REDACTED, candidate: REDACTED },
    { path: 'part[4]', reference: `user=ada&secret=${REDACTED}` },
    { path: 'part[2] $.price', reference: 1, candidate: 2 },
  ])
})

test('text redaction is linear: a 1 MB line of name characters without "=" is scanned once', () => {
  const line = 'x'.repeat(1_000_000)
  assert.equal(redactText(line, r), line)
  assert.equal(redactText(`${line}=1&token=t`, r), `${line}=1&token=${REDACTED}`)
  const pairs = 'a='.repeat(500_000)
  assert.equal(redactText(pairs, r), pairs)
})
