/**
 * Comparison through the whole proxy: what ends as `equal`, what as `diverged`, and what a
 * divergence looks like in the Rust miffy message shape.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import { startProxy } from '../helpers/proxy.ts'
import { startUpstream } from '../helpers/upstream.ts'

function raw(status: number, body: string, type = 'application/json') {
  return (_req: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(status, { 'content-type': type })
    res.end(body)
  }
}

async function pair(
  t: import('node:test').TestContext,
  ref: string,
  cand: string,
  type?: string,
  extra = {},
) {
  const reference = await startUpstream(t, raw(200, ref, type))
  const candidate = await startUpstream(t, raw(200, cand, type))
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    routes: [{ path: '/api/{id}', key: 'id', ...extra }],
  })
  const res = await request(`${proxy.url}/api/7?x=1`, {
    headers: { authorization: 'Bearer secret', 'x-trace': 't1' },
  })
  assert.equal(await res.body.text(), ref)
  await proxy.settled()
  return proxy
}

test('JSON bodies that differ only in key order and number spelling are equal', async (t) => {
  const proxy = await pair(t, '{"a":1,"b":{"c":[1,2],"d":2.0}}', '{"b":{"d":2,"c":[1,2]},"a":1.0}')
  assert.equal(proxy.outcomes('/api/{id}').equal, 1)
  assert.equal(proxy.divergences().length, 0)
})

test('application/problem+json compares as JSON', async (t) => {
  const proxy = await pair(t, '{"a":1,"b":2}', '{"b":2,"a":1}', 'application/problem+json; charset=utf-8')
  assert.equal(proxy.outcomes('/api/{id}').equal, 1)
})

test('text bodies compare by tokens, JSON text served as text/plain included', async (t) => {
  const same = await pair(t, 'hello', 'hello', 'text/plain')
  assert.equal(same.outcomes('/api/{id}').equal, 1)
  const differ = await pair(t, '{"a":1,"b":2}', '{"b":2,"a":1}', 'text/plain')
  assert.equal(differ.outcomes('/api/{id}').diverged, 1)
  const [m] = differ.divergences()
  assert.equal(m!.divergence!.body!.kind, 'text')
})

test('a divergence is recorded in the Rust miffy message shape, with secrets redacted', async (t) => {
  const proxy = await pair(t, '{"result":4}', '{"result":103}')
  assert.equal(proxy.outcomes('/api/{id}').diverged, 1)
  const [m] = proxy.divergences()
  assert.ok(m)
  assert.equal(m.request.method, 'GET')
  assert.equal(m.request.uri, '/api/7?x=1')
  assert.equal(m.request.route, '/api/{id}')
  assert.deepEqual(m.request.params, { id: '7' })
  assert.equal(m.request.body, null)
  assert.equal(m.request.headers.authorization, '[REDACTED]')
  assert.equal(m.request.headers['x-trace'], 't1')
  assert.match(m.reference.url, /^http:\/\/127\.0\.0\.1:\d+\/api\/7\?x=1$/)
  assert.ok('status' in m.reference.response && 'status' in m.candidate.response)
  assert.equal(m.reference.response.status, 200)
  assert.deepEqual(m.reference.response.body, { type: 'json', value: { result: 4 } })
  assert.deepEqual(m.candidate.response.body, { type: 'json', value: { result: 103 } })
  assert.deepEqual(m.divergence!.body!.paths, [
    { path: '$.result', reference: 4, candidate: 103, change: 'value' },
  ])
  assert.match(m.divergence!.fingerprint, /^[0-9a-f]{16}$/)
  assert.match(m.id, /^[0-9a-f-]{36}$/)
  assert.ok(!Number.isNaN(Date.parse(m.timestamp)))
})
