import assert from 'node:assert/strict'
import { test } from 'node:test'
import { divergenceOf as compare } from '../../src/diff/compare.ts'
import { jsonLeg, options, rawLeg } from './legs.ts'

test('headers are not compared unless named', () => {
  const a = rawLeg('x', { headers: { 'x-version': '1', date: 'Mon' } })
  const b = rawLeg('x', { headers: { 'x-version': '2', date: 'Tue' } })
  assert.equal(compare(a, b, options()), null)
  assert.deepEqual(compare(a, b, options({ compareHeaders: ['x-version'] }))?.headers, ['x-version'])
})

test('names are case-insensitive', () => {
  const a = rawLeg('x', { headers: { 'cache-control': 'no-store' } })
  const b = rawLeg('x', { headers: { 'cache-control': 'max-age=60' } })
  assert.deepEqual(compare(a, b, options({ compareHeaders: ['Cache-Control'] }))?.headers, ['cache-control'])
  assert.equal(compare(a, a, options({ compareHeaders: ['CACHE-CONTROL'] })), null)
})

test('a header present on one side only differs; absent on both is equal', () => {
  const a = rawLeg('x', { headers: { etag: '"1"' } })
  const b = rawLeg('x', { headers: {} })
  assert.deepEqual(compare(a, b, options({ compareHeaders: ['etag'] }))?.headers, ['etag'])
  assert.deepEqual(compare(b, a, options({ compareHeaders: ['etag'] }))?.headers, ['etag'])
  assert.equal(compare(b, b, options({ compareHeaders: ['etag', 'constructor', '__proto__'] })), null)
})

test('repeated values of a header compare as ordered lists; one value equals a one-element list', () => {
  const links = (v: string | string[]) => rawLeg('x', { headers: { 'x-node': v } })
  const opts = options({ compareHeaders: ['x-node'] })
  assert.equal(compare(links(['a', 'b']), links(['a', 'b']), opts), null)
  assert.equal(compare(links('a'), links(['a']), opts), null)
  assert.deepEqual(compare(links(['a', 'b']), links(['b', 'a']), opts)?.headers, ['x-node'])
  assert.deepEqual(compare(links(['a', 'b']), links(['a']), opts)?.headers, ['x-node'])
})

test('Set-Cookie compares by cookie name: values and attributes, in any order', () => {
  const cookies = (v: string | string[]) => rawLeg('x', { headers: { 'set-cookie': v } })
  const opts = options({ compareHeaders: ['set-cookie'] })
  assert.equal(compare(cookies(['a=1; Path=/', 'b=2']), cookies(['b=2', 'a=1; path=/']), opts), null)
  const value = compare(cookies(['a=1', 'b=2']), cookies(['a=1', 'b=3']), opts)
  assert.deepEqual(value?.header_paths, [
    { path: 'set-cookie b', reference: '2', candidate: '3', change: 'value' },
  ])
  const attrs = compare(cookies('a=1; HttpOnly; Secure'), cookies('a=1; Secure'), opts)
  assert.equal(attrs?.header_paths?.[0]?.path, 'set-cookie a attributes')
  const lost = compare(cookies(['a=1', 'b=2']), cookies(['a=1']), opts)
  assert.deepEqual(lost?.header_paths, [{ path: 'set-cookie b', reference: '2', change: 'missing' }])
})

test('list headers compare as sets of directives, each a place of its own', () => {
  const cc = (v: string) => rawLeg('x', { headers: { 'cache-control': v } })
  const opts = options({ compareHeaders: ['*'] })
  assert.equal(compare(cc('no-cache, max-age=0'), cc('max-age=0,no-cache'), opts), null)
  // a lifetime compares by whether it caches, not for how long
  assert.equal(compare(cc('max-age=60, public'), cc('max-age=57, public'), opts), null)
  assert.deepEqual(compare(cc('max-age=60, public'), cc('max-age=0, public'), opts)?.header_paths, [
    { path: 'cache-control max-age', reference: 60, candidate: 0, change: 'value' },
  ])
  assert.deepEqual(compare(cc('no-store'), cc('max-age=60'), opts)?.header_paths, [
    { path: 'cache-control no-store', reference: 'no-store', change: 'missing' },
    { path: 'cache-control max-age', candidate: '60', change: 'added' },
  ])
})

test('a Location is compared part by part: a lost query parameter is named', () => {
  const loc = (v: string) => rawLeg('', { status: 302, headers: { location: v } })
  const d = compare(
    loc('https://a.example/cb?code=x1&state=s'),
    loc('https://a.example/cb?code=y2'),
    options({ compareHeaders: ['*'] }),
  )
  assert.deepEqual(
    d?.header_paths?.map((p) => [p.path, p.change]),
    [
      ['location<url>.query.code', 'value'],
      ['location<url>.query.state', 'missing'],
    ],
  )
})

test('Content-Type compares by media type: parameters such as charset do not count', () => {
  const ct = (v: string) => rawLeg('x', { headers: { 'content-type': v } })
  assert.equal(compare(ct('application/json; charset=utf-8'), ct('Application/JSON'), options()), null)
  assert.deepEqual(compare(ct('application/json'), ct('text/plain'), options())?.headers, ['content-type'])
  // unless asked to ignore it
  assert.equal(
    compare(ct('application/json'), ct('text/plain'), options({ ignoreHeaders: ['content-type'] })),
    null,
  )
})

test('"*" compares every header but the ignored ones', () => {
  const a = rawLeg('x', { headers: { 'x-a': '1', date: 'Mon', 'x-b': '1' } })
  const b = rawLeg('x', { headers: { 'x-a': '2', date: 'Tue', 'x-b': '1' } })
  assert.deepEqual(compare(a, b, options({ compareHeaders: ['*'], ignoreHeaders: ['date'] }))?.headers, [
    'x-a',
  ])
})

test('only differing names are listed, once, with body differences alongside', () => {
  const a = jsonLeg({ v: 1 }, { headers: { 'x-a': '1', 'x-b': '1' } })
  const b = jsonLeg({ v: 2 }, { headers: { 'x-a': '1', 'x-b': '2' } })
  const divergence = compare(a, b, options({ compareHeaders: ['x-a', 'x-b', 'X-B'] }))
  assert.deepEqual(divergence?.headers, ['x-b'])
  assert.equal(divergence?.body?.kind, 'json')
})

test('a cookie lifetime: Max-Age as a number, Expires as a point in time stamped a moment later', () => {
  const cookies = (v: string | string[]) => rawLeg('x', { headers: { 'set-cookie': v } })
  const opts = options({ compareHeaders: ['set-cookie'] })
  const at = (ms: number) => new Date(ms).toUTCString()
  const now = Date.now()
  // the same lifetime, stamped twice
  assert.equal(
    compare(
      cookies(`s=1; Expires=${at(now + 3_600_000)}`),
      cookies(`s=1; Expires=${at(now + 3_600_400)}`),
      opts,
    ),
    null,
  )
  assert.equal(
    compare(cookies('locale=en; Max-Age=31536000'), cookies('locale=en; Max-Age=31536000'), opts),
    null,
  )
  // a year in milliseconds instead of seconds; a session cookie that became persistent
  assert.deepEqual(
    compare(cookies('locale=en; Max-Age=31536000'), cookies('locale=en; Max-Age=31536000000'), opts)
      ?.header_paths,
    [{ path: 'set-cookie locale max-age', reference: 31536000, candidate: 31536000000, change: 'value' }],
  )
  assert.equal(
    compare(cookies('s=1'), cookies('s=1; Max-Age=60'), opts)?.header_paths?.[0]?.path,
    'set-cookie s max-age',
  )
  // an hour became a day
  assert.equal(
    compare(
      cookies(`s=1; Expires=${at(now + 3_600_000)}`),
      cookies(`s=1; Expires=${at(now + 86_400_000)}`),
      opts,
    )?.header_paths?.[0]?.path,
    'set-cookie s expires',
  )
})
