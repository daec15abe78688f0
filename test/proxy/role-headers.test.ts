import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import { startProxy } from '../helpers/proxy.ts'
import { rawRequest } from '../helpers/raw-http.ts'
import { json, startUpstream } from '../helpers/upstream.ts'

test('outside experiments the reference sees X-Shadow-Test-Role: upstream, and no candidate is called', async (t) => {
  const reference = await startUpstream(t, json(200, { ok: true }))
  const candidate = await startUpstream(t, json(200, { ok: true }))
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    routes: [{ path: '/api/{id}' }],
  })
  const res = await request(`${proxy.url}/other?x=1`)
  await res.body.text()
  assert.equal(reference.received.length, 1)
  assert.equal(reference.received[0]!.headers['x-shadow-test-role'], 'upstream')
  assert.equal(reference.received[0]!.url, '/other?x=1')
  assert.equal(candidate.received.length, 0)
})

test('in an experiment both legs get the same method, path, query, headers and body, each with its role', async (t) => {
  const reference = await startUpstream(t, json(200, { ok: true }))
  const candidate = await startUpstream(t, json(200, { ok: true }))
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    routes: [{ path: '/api/{id}' }],
  })
  const seen = candidate.nextRequest()
  const body = '{"a":1}'
  const res = await rawRequest(
    proxy.url,
    [
      'POST /api/7?q=a%20b&q=c HTTP/1.1',
      'Host: example.test',
      'Content-Type: application/json',
      `Content-Length: ${body.length}`,
      'X-Custom: yes',
      // a client must not be able to pose as the proxy
      'X-Shadow-Test-Role: candidate',
      'Connection: keep-alive, x-hop',
      'X-Hop: dropped',
      'Keep-Alive: timeout=5',
      '',
      body,
    ].join('\r\n'),
  )
  assert.equal(res.status, 200)
  const c = await seen
  const r = reference.received[0]!
  assert.equal(r.headers['x-shadow-test-role'], 'reference')
  assert.equal(c.headers['x-shadow-test-role'], 'candidate')
  for (const got of [r, c]) {
    assert.equal(got.method, 'POST')
    assert.equal(got.url, '/api/7?q=a%20b&q=c')
    assert.equal(got.headers['x-custom'], 'yes')
    assert.equal(got.headers['content-type'], 'application/json')
    assert.equal(got.body.toString(), '{"a":1}')
    // RFC 9110 §7.6.1: hop-by-hop fields and those named in Connection are not forwarded
    assert.equal(got.headers['x-hop'], undefined)
    assert.equal(got.headers['keep-alive'], undefined)
  }
})

test('a base URL with a path prefix keeps the prefix on both legs', async (t) => {
  const reference = await startUpstream(t, json(200, { ok: true }))
  const candidate = await startUpstream(t, json(200, { ok: true }))
  const proxy = await startProxy(t, {
    reference: `${reference.url}/v2`,
    candidate: `${candidate.url}/next/`,
    routes: [{ path: '/api/{id}' }],
  })
  const seen = candidate.nextRequest()
  await (await request(`${proxy.url}/api/1?x=y`)).body.text()
  await (await request(`${proxy.url}/plain`)).body.text()
  assert.equal((await seen).url, '/next/api/1?x=y')
  assert.deepEqual(
    reference.received.map((r) => r.url),
    ['/v2/api/1?x=y', '/v2/plain'],
  )
})

test('a route may name its own reference and candidate', async (t) => {
  const reference = await startUpstream(t, json(200, { who: 'default reference' }))
  const special = await startUpstream(t, json(200, { who: 'special reference' }))
  const candidate = await startUpstream(t, json(200, { who: 'default candidate' }))
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    routes: [{ path: '/special/{id}', reference: special.url }],
  })
  const res = await request(`${proxy.url}/special/1`)
  assert.deepEqual(await res.body.json(), { who: 'special reference' })
  await proxy.settled()
  assert.equal(reference.received.length, 0)
  assert.equal(candidate.received.length, 1)
})

test('Expect: 100-continue is answered by miffy and not forwarded; both legs get the body', async (t) => {
  const reference = await startUpstream(t, json(200, { ok: true }))
  const candidate = await startUpstream(t, json(200, { ok: true }))
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    routes: [{ path: '/api/{id}' }],
  })
  for (const path of ['/api/1', '/plain']) {
    const res = await rawRequest(
      proxy.url,
      [
        `POST ${path} HTTP/1.1`,
        'Host: x',
        'Content-Length: 5',
        'Expect: 100-continue',
        'Connection: close',
        '',
        'hello',
      ].join('\r\n'),
    )
    assert.equal(res.status, 200)
  }
  await proxy.settled()
  assert.deepEqual(
    reference.received.map((r) => [r.url, r.body.toString(), r.headers.expect]),
    [
      ['/api/1', 'hello', undefined],
      ['/plain', 'hello', undefined],
    ],
  )
  assert.equal(candidate.received[0]!.body.toString(), 'hello')
})
