/**
 * Multipart bodies compared part by part: each side read by the boundary its own Content-Type
 * names, each part's headers and body by the part's own content type.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compare, divergenceOf, MAX_PARTS, toDivergence } from '../../src/diff/compare.ts'
import type { LegResult } from '../../src/diff/model.ts'
import { boundaryOf, parseHttpMessage, parseMultipart } from '../../src/diff/multipart.ts'
import { explainNoise } from '../../src/diff/noise-apply.ts'
import { learnNoise } from '../../src/diff/noise-learn.ts'
import { NoiseModel } from '../../src/diff/noise-model.ts'
import { suggest } from '../../src/diff/noise-report.ts'
import { options, rawLeg } from './legs.ts'

interface PartSpec {
  headers?: Record<string, string>
  body: string
}

const rules = options({ compareHeaders: ['*'] })

/** A multipart/mixed leg; `eol` CRLF or LF, with a preamble and an epilogue that do not count. */
function multipart(
  boundary: string,
  parts: PartSpec[],
  { eol = '\r\n', close = true, type = 'multipart/mixed' } = {},
): LegResult {
  let body = `preamble ${boundary.length}${eol}`
  for (const p of parts) {
    body += `--${boundary}${eol}`
    for (const [name, value] of Object.entries(p.headers ?? {})) body += `${name}: ${value}${eol}`
    body += `${eol}${p.body}${eol}`
  }
  if (close) body += `--${boundary}--${eol}epilogue ${boundary}`
  return rawLeg(body, { headers: { 'content-type': `${type}; boundary="${boundary}"` } })
}

const item = (over: Record<string, unknown> = {}): PartSpec => ({
  headers: { 'Content-Type': 'application/json', 'Content-ID': '<item-1>' },
  body: JSON.stringify({ id: 'p-1', price: 12.5, ...over }),
})
const note = (text: string): PartSpec => ({ headers: { 'content-type': 'text/plain' }, body: text })
const batch = (boundary: string, parts: PartSpec[] = [item(), item({ id: 'p-2' }), note('2 items')]) =>
  multipart(boundary, parts)

const paths = (d: ReturnType<typeof divergenceOf>) =>
  d?.body?.paths.map((p) => [p.path, p.change, p.reference, p.candidate])

test('the same parts under other boundaries are equal', () => {
  assert.equal(divergenceOf(batch('batch_UOI7Sb1'), batch('batch_Xq93kLm0'), rules), null)
  // and the boundary parameter of the Content-Type header is not a difference either
  assert.equal(divergenceOf(batch('a'), batch('b'), options()), null)
})

test('a changed JSON field in a part is a difference at that part and that path', () => {
  const changed = [item(), item({ id: 'p-2', price: 13.5 }), note('2 items')]
  const d = divergenceOf(batch('one'), multipart('two', changed), rules)
  assert.equal(d?.body?.kind, 'multipart')
  assert.deepEqual(paths(d), [['part[2] $.price', 'value', 12.5, 13.5]])
  const c = compare(batch('one'), multipart('two', changed), rules)
  assert.deepEqual(
    c?.differences.map((x) => [x.key, x.fingerprint]),
    [['multipart [2] json $.price', '~part[*] $.price']],
  )
  // the same kind of difference in another part groups with it; another kind does not
  const first = divergenceOf(
    batch('x'),
    multipart('y', [item({ price: 1 }), item({ id: 'p-2' }), note('2 items')]),
    rules,
  )
  assert.deepEqual(paths(first), [['part[1] $.price', 'value', 12.5, 1]])
  assert.equal(first?.fingerprint, d?.fingerprint)
  const other = divergenceOf(
    batch('x'),
    multipart('y', [item(), item({ id: 'p-9' }), note('2 items')]),
    rules,
  )
  assert.notEqual(other?.fingerprint, d?.fingerprint)
})

test('a text part is compared as text, a part header as a header, Content-Length never', () => {
  const d = divergenceOf(
    batch('one'),
    multipart('two', [
      { headers: { 'Content-Type': 'application/json', 'Content-ID': '<item-9>' }, body: item().body },
      { ...item({ id: 'p-2' }), headers: { ...item().headers, 'Content-Length': '99' } },
      note('3 items'),
    ]),
    rules,
  )
  assert.deepEqual(paths(d), [
    ['part[1] header content-id', 'value', '<item-1>', '<item-9>'],
    ['part[3] line 1', 'value', '2', '3'],
  ])
  // a part's Content-Type by media type, as the response's own
  const typed = (type: string) => multipart('b', [{ headers: { 'content-type': type }, body: '{"a":1}' }])
  assert.equal(divergenceOf(typed('application/json'), typed('Application/JSON; charset=utf-8'), rules), null)
  assert.deepEqual(paths(divergenceOf(typed('application/json'), typed('text/plain'), rules)), [
    ['part[1] header content-type', 'value', 'application/json', 'text/plain'],
  ])
})

test('a binary part is compared as bytes, a nested multipart part by its own parts', () => {
  const binary = (b: string) =>
    multipart('x', [item(), { headers: { 'content-type': 'application/octet-stream' }, body: b }])
  const d = divergenceOf(binary('\u0001a'), binary('\u0001b'), rules)
  assert.deepEqual(paths(d), [['part[2] body', 'value', undefined, undefined]])
  const nested = (inner: string, price: number) => {
    const leg = multipart(inner, [item({ price })])
    return multipart(`outer-${inner}`, [
      {
        headers: { 'content-type': leg.ok ? String(leg.headers['content-type']) : '' },
        body: leg.ok ? leg.body.toString() : '',
      },
    ])
  }
  assert.equal(divergenceOf(nested('a', 1), nested('b', 1), rules), null)
  assert.deepEqual(paths(divergenceOf(nested('a', 1), nested('b', 2), rules)), [
    ['part[1] part[1] $.price', 'value', 1, 2],
  ])
})

test('a part missing or added is a difference, after the part counts', () => {
  const d = divergenceOf(batch('one'), multipart('two', [item(), item({ id: 'p-2' })]), rules)
  assert.deepEqual(paths(d), [
    ['parts', 'length', 3, 2],
    ['part[3]', 'missing', '2 items', undefined],
  ])
  const added = divergenceOf(multipart('one', [item()]), multipart('two', [item(), { body: 'more' }]), rules)
  assert.deepEqual(paths(added), [
    ['parts', 'length', 1, 2],
    ['part[2]', 'added', undefined, 'more'],
  ])
})

test('LF-only delimiters read as CRLF ones; a body cut before its closing delimiter says so', () => {
  const parts = [item(), note('hello')]
  assert.equal(divergenceOf(multipart('crlf', parts), multipart('lf', parts, { eol: '\n' }), rules), null)
  const lf = multipart('lf', [item({ price: 1 }), note('hello')], { eol: '\n' })
  assert.deepEqual(paths(divergenceOf(multipart('crlf', parts), lf, rules)), [
    ['part[1] $.price', 'value', 12.5, 1],
  ])
  const cut = divergenceOf(multipart('a', parts), multipart('b', parts, { close: false }), rules)
  assert.deepEqual(paths(cut), [['closing delimiter', 'missing', 'closing delimiter', undefined]])
})

test('an unparseable multipart body is compared as bytes, as before', () => {
  const noBoundary = (body: string) => rawLeg(body, { headers: { 'content-type': 'multipart/mixed' } })
  const d = divergenceOf(noBoundary('a'), noBoundary('b'), rules)
  assert.equal(d?.body?.kind, 'bytes')
  // a boundary that appears nowhere in the body
  const missing = (body: string) =>
    rawLeg(body, { headers: { 'content-type': 'multipart/mixed; boundary=zz' } })
  assert.equal(
    divergenceOf(missing('--a\r\n\r\nx\r\n--a--'), missing('--a\r\n\r\ny\r\n--a--'), rules)?.body?.kind,
    'bytes',
  )
  // one side multipart, the other not: the media types differ, the bodies are bytes
  const other = divergenceOf(
    batch('x'),
    rawLeg('x', { headers: { 'content-type': 'application/zip' } }),
    rules,
  )
  assert.deepEqual(other?.headers, ['content-type'])
  assert.equal(other?.body?.kind, 'bytes')
  // more parts than the cap
  const many = (boundary: string, last: string) =>
    multipart(boundary, [...Array.from({ length: MAX_PARTS }, () => note('x')), note(last)])
  assert.equal(divergenceOf(many('a', '1'), many('b', '2'), rules)?.body?.kind, 'bytes')
})

test('application/http parts are read as the HTTP messages they hold', () => {
  const response = (status: string, price: number) => ({
    headers: { 'Content-Type': 'application/http', 'Content-ID': '<response-r1>' },
    body: [
      `HTTP/1.1 ${status}`,
      'Content-Type: application/json; charset=UTF-8',
      `ETag: "${price}"`,
      '',
      JSON.stringify({ id: 'p-1', price }),
    ].join('\r\n'),
  })
  const ok = multipart('one', [response('200 OK', 10)])
  assert.equal(divergenceOf(ok, multipart('two', [response('200 OK', 10)]), rules), null)
  assert.deepEqual(paths(divergenceOf(ok, multipart('two', [response('200 OK', 11)]), rules)), [
    ['part[1] http header etag', 'value', '"10"', '"11"'],
    ['part[1] http $.price', 'value', 10, 11],
  ])
  const failed = divergenceOf(ok, multipart('two', [response('500 Internal Server Error', 10)]), rules)
  assert.deepEqual(paths(failed)?.[0], ['part[1] http status', 'value', 200, 500])
  // as for the response's own status, the pair of codes is the kind of difference
  const notFound = divergenceOf(ok, multipart('two', [response('404 Not Found', 10)]), rules)
  assert.notEqual(failed?.fingerprint, notFound?.fingerprint)
})

test('multipart parsing: quoted boundaries, folded headers, a boundary inside a line is content', () => {
  assert.equal(boundaryOf('multipart/mixed; boundary="a b:c"'), 'a b:c')
  assert.equal(boundaryOf('Multipart/Related; type="application/json"; BOUNDARY=xyz'), 'xyz')
  assert.equal(boundaryOf('multipart/mixed'), undefined)
  assert.equal(boundaryOf('application/json; boundary=x'), undefined)
  const body = Buffer.from(
    'ignored\r\n--xyz\r\nX-Long: one\r\n two\r\n\r\nsee --xyz here\r\n--xyzzy\r\n--xyz  \r\nno headers: just: body\r\nx\r\n--xyz--\r\nignored',
  )
  const m = parseMultipart(body, 'xyz', 10)
  assert.ok(m)
  assert.equal(m.closed, true)
  assert.equal(m.parts.length, 2)
  assert.equal(m.parts[0]!.headers['x-long'], 'one two')
  assert.equal(m.parts[0]!.body.toString(), 'see --xyz here\r\n--xyzzy')
  // a first line that is no header: the part has none, all of it is body
  assert.deepEqual(Object.keys(m.parts[1]!.headers), [])
  assert.equal(m.parts[1]!.body.toString(), 'no headers: just: body\r\nx')
  assert.equal(parseMultipart(body, 'xyz', 1), undefined)
  assert.equal(parseMultipart(Buffer.from('no delimiter'), 'xyz', 10), undefined)
  const http = parseHttpMessage(Buffer.from('HTTP/1.1 201 Created\r\nLocation: /a\r\n\r\n{}'))
  assert.equal(http?.status, 201)
  assert.equal(http?.headers.location, '/a')
  assert.equal(http?.body.toString(), '{}')
  assert.equal(parseHttpMessage(Buffer.from('{"not": "http"}')), undefined)
})

test('noise learned in a part explains the same change there, not a changed price', () => {
  const uuid = () => crypto.randomUUID()
  const leg = (boundary: string, requestId: string, price = 12.5) =>
    batch(boundary, [item(), item({ id: 'p-2', request_id: requestId, price }), note('2 items')])
  const model = new NoiseModel(100)
  for (let i = 0; i < 3; i++)
    learnNoise(model, compare(leg(uuid(), uuid()), leg(uuid(), uuid()), rules, model))
  const place = model.get('multipart [2] json $.request_id')
  assert.ok(place, 'the request id is noise at part 2')
  // the rule GET /noise suggests for it reaches into the parts
  assert.equal(suggest(place), 'ignore = ["$.request_id"]')
  const ignoring = options({ compareHeaders: ['*'], ignorePatterns: ['$.request_id'] })
  assert.equal(compare(leg('a', uuid()), leg('b', uuid()), ignoring), null)
  const judge = (candidate: LegResult) => {
    const comparison = compare(leg('ref', uuid()), candidate, rules, model)
    assert.ok(comparison)
    return toDivergence(comparison, rules.route, 20, explainNoise(model, comparison, { clockWindowMs: 5 }))
  }
  const noise = judge(leg('cand', uuid()))
  assert.equal(noise.noise_only, true)
  const price = judge(leg('cand', uuid(), 13.5))
  assert.ok(!price.noise_only)
  assert.deepEqual(
    price.body?.paths.map((p) => [p.path, p.noise]),
    [
      ['part[2] $.price', false],
      ['part[2] $.request_id', true],
    ],
  )
  // the noise is per part position: the same id changing in another part is not explained
  const elsewhere = batch('cand', [item({ request_id: uuid() }), item({ id: 'p-2' }), note('2 items')])
  const c = compare(
    batch('ref', [item({ request_id: uuid() }), item({ id: 'p-2' }), note('2 items')]),
    elsewhere,
    rules,
    model,
  )
  assert.ok(c)
  assert.deepEqual(explainNoise(model, c, { clockWindowMs: 5 }), [false])
})
