/**
 * Upstream URLs are the configured origin plus the request's path: no request target can make
 * miffy contact another host. Sent over a raw socket, since HTTP clients refuse these targets.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startProxy } from '../helpers/proxy.ts'
import { rawRequest } from '../helpers/raw-http.ts'
import { json, startUpstream, type Upstream } from '../helpers/upstream.ts'

async function setup(t: import('node:test').TestContext) {
  const reference = await startUpstream(t, json(200, { from: 'reference' }))
  const candidate = await startUpstream(t, json(200, { from: 'reference' }))
  // a third server that must never be reached
  const other = await startUpstream(t, json(200, { from: 'elsewhere' }))
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    routes: [{ path: '/api/{id}' }],
  })
  return { reference, candidate, other, proxy }
}

const get = (target: string) => `GET ${target} HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n\r\n`

function paths(u: Upstream) {
  return u.received.map((r) => r.url)
}

test('absolute-form targets are normalised to their path on the configured reference', async (t) => {
  const { reference, candidate, other, proxy } = await setup(t)
  const res = await rawRequest(proxy.url, get(`http://127.0.0.1:${other.port}/api/5?x=1`))
  assert.equal(res.status, 200)
  assert.deepEqual(JSON.parse(res.body), { from: 'reference' })
  await proxy.settled()
  assert.deepEqual(paths(reference), ['/api/5?x=1'])
  assert.deepEqual(paths(candidate), ['/api/5?x=1'])
  assert.equal(other.received.length, 0)
})

test('a path starting with // stays a path on the reference', async (t) => {
  const { reference, other, proxy } = await setup(t)
  for (const target of [`//127.0.0.1:${other.port}/x`, `//@127.0.0.1:${other.port}/y`]) {
    const res = await rawRequest(proxy.url, get(target))
    assert.equal(res.status, 200)
    assert.deepEqual(JSON.parse(res.body), { from: 'reference' })
  }
  assert.deepEqual(paths(reference), [`//127.0.0.1:${other.port}/x`, `//@127.0.0.1:${other.port}/y`])
  assert.equal(other.received.length, 0)
})

test('targets that are not paths, dot-segments and malformed escapes get 400, not a crash', async (t) => {
  const { reference, other, proxy } = await setup(t)
  for (const target of [`@127.0.0.1:${other.port}/x`, '/api/../admin', '/a/%2e%2e/b', '/api/%zz']) {
    const res = await rawRequest(proxy.url, get(target))
    assert.equal(res.status, 400, target)
    assert.equal(JSON.parse(res.body).error, 'MIFFY_ERR_BAD_REQUEST')
  }
  assert.equal(reference.received.length, 0)
  assert.equal(other.received.length, 0)
  // and the proxy still serves
  const ok = await rawRequest(proxy.url, get('/fine'))
  assert.equal(ok.status, 200)
})

test('a fragment is not forwarded to either leg, and routing ignores it', async (t) => {
  const { reference, candidate, proxy } = await setup(t)
  const res = await rawRequest(proxy.url, get('/api/5#section?x=1'))
  assert.equal(res.status, 200)
  await proxy.settled()
  assert.deepEqual(paths(reference), ['/api/5'])
  assert.deepEqual(paths(candidate), ['/api/5'])
  assert.equal(proxy.outcomes('/api/{id}').equal, 1)
})
