import assert from 'node:assert/strict'
import type { IncomingHttpHeaders } from 'node:http'
import { test } from 'node:test'
import { downstreamResponseHeaders, ROLE_HEADER, upstreamRequestHeaders } from '../../src/proxy/headers.ts'

/** The hop-by-hop fields of RFC 9110 §7.6.1 and RFC 9112 §7.1 (plus HTTP/2's upgrade field). */
const HOP_BY_HOP: Record<string, string> = {
  connection: 'keep-alive',
  'keep-alive': 'timeout=5',
  'proxy-connection': 'keep-alive',
  'proxy-authenticate': 'Basic realm="proxy"',
  'proxy-authorization': 'Basic Zm9vOmJhcg==',
  te: 'trailers',
  trailer: 'x-checksum',
  'transfer-encoding': 'chunked',
  upgrade: 'websocket',
  'http2-settings': 'AAMAAABkAAQAAP__',
}

test('request: hop-by-hop headers are not forwarded, end-to-end ones are', () => {
  const out = upstreamRequestHeaders(
    { ...HOP_BY_HOP, accept: 'application/json', 'x-request-id': 'r-1', authorization: 'Bearer t' },
    'reference',
  )
  for (const name of Object.keys(HOP_BY_HOP)) assert.equal(out[name], undefined, name)
  assert.equal(out.accept, 'application/json')
  assert.equal(out['x-request-id'], 'r-1')
  assert.equal(out.authorization, 'Bearer t', 'end-to-end credentials are forwarded')
})

test('request: headers named in Connection are removed (RFC 9110 §7.6.1)', () => {
  const out = upstreamRequestHeaders(
    { connection: 'X-Secret, close , x-other', 'x-secret': 's', 'x-other': 'o', 'x-kept': 'k' },
    'upstream',
  )
  assert.equal(out['x-secret'], undefined)
  assert.equal(out['x-other'], undefined)
  assert.equal(out.connection, undefined)
  assert.equal(out['x-kept'], 'k')
})

test('request: Connection given as several values names headers in each', () => {
  const headers = {
    connection: ['x-a', 'x-b'],
    'x-a': '1',
    'x-b': '2',
    'x-c': '3',
  } as unknown as IncomingHttpHeaders
  const out = upstreamRequestHeaders(headers, 'upstream')
  assert.equal(out['x-a'], undefined)
  assert.equal(out['x-b'], undefined)
  assert.equal(out['x-c'], '3')
})

test("request: the client's host is kept (as in the Rust miffy), content-length is dropped", () => {
  const out = upstreamRequestHeaders(
    { host: 'proxy.example', 'content-length': '12', accept: '*/*' },
    'reference',
  )
  assert.equal(out.host, 'proxy.example')
  assert.equal(out['content-length'], undefined)
  assert.equal(out.accept, '*/*')
})

test('request: the role header is set for each role', () => {
  for (const role of ['upstream', 'reference', 'candidate'] as const) {
    assert.equal(upstreamRequestHeaders({}, role)[ROLE_HEADER], role)
  }
  assert.equal(ROLE_HEADER, 'x-shadow-test-role')
})

test('request: a client-sent role header is replaced, not forwarded', () => {
  assert.equal(upstreamRequestHeaders({ [ROLE_HEADER]: 'reference' }, 'candidate')[ROLE_HEADER], 'candidate')
  const repeated = { [ROLE_HEADER]: ['a', 'b'] } as unknown as IncomingHttpHeaders
  assert.equal(upstreamRequestHeaders(repeated, 'upstream')[ROLE_HEADER], 'upstream')
})

test('request: a client cannot strip the role header through Connection', () => {
  const out = upstreamRequestHeaders({ connection: ROLE_HEADER }, 'candidate')
  assert.equal(out[ROLE_HEADER], 'candidate')
})

test('request: repeated end-to-end values are kept as they are', () => {
  const headers = { 'x-multi': ['1', '2'] } as unknown as IncomingHttpHeaders
  assert.deepEqual(upstreamRequestHeaders(headers, 'upstream')['x-multi'], ['1', '2'])
})

test('request: the incoming headers are not modified', () => {
  const incoming: IncomingHttpHeaders = { connection: 'x-a', 'x-a': '1', host: 'h' }
  const before = structuredClone(incoming)
  upstreamRequestHeaders(incoming, 'reference')
  assert.deepEqual(incoming, before)
})

test('response: hop-by-hop headers are not passed to the client, end-to-end ones are', () => {
  const out = downstreamResponseHeaders({
    ...HOP_BY_HOP,
    'content-type': 'application/json',
    'content-length': '42',
    'set-cookie': ['a=1', 'b=2'],
    absent: undefined,
  })
  for (const name of Object.keys(HOP_BY_HOP)) assert.equal(out[name], undefined, name)
  assert.equal(out['content-type'], 'application/json')
  assert.equal(out['content-length'], '42', 'the response length is end-to-end')
  assert.deepEqual(out['set-cookie'], ['a=1', 'b=2'])
  assert.equal('absent' in out, false)
})

test('response: headers named in Connection are removed (RFC 9110 §7.6.1)', () => {
  const out = downstreamResponseHeaders({
    connection: 'Keep-Alive, X-Internal',
    'x-internal': 'i',
    'x-public': 'p',
  })
  assert.equal(out['x-internal'], undefined)
  assert.equal(out['x-public'], 'p')
  const listed = downstreamResponseHeaders({ connection: ['x-a', 'X-B'], 'x-a': '1', 'x-b': '2', 'x-c': '3' })
  assert.deepEqual(listed, { 'x-c': '3' })
})
