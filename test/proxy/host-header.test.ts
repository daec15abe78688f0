/**
 * The Host both legs get: by default the client's, as the Rust miffy 1.0 forwarded it (issue 11);
 * `host_header = "upstream"` (top level, or on one upstream's table) sends an upstream its own
 * host:port, what miffy did before. Real upstreams on 127.0.0.1 record what they received.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import { startProxy, testConfig } from '../helpers/proxy.ts'
import { rawRequest } from '../helpers/raw-http.ts'
import { json, startUpstream } from '../helpers/upstream.ts'

const HOST = 'shop.example:8443'

async function upstreams(t: import('node:test').TestContext) {
  return {
    reference: await startUpstream(t, json(200, { v: 1 })),
    candidate: await startUpstream(t, json(200, { v: 1 })),
    other: await startUpstream(t, json(200, { v: 0 })),
  }
}

async function send(url: string, path: string) {
  const res = await request(`${url}${path}`, { headers: { host: HOST } })
  await res.body.dump()
  return res.statusCode
}

test('by default both legs and plain proxying get the client Host', async (t) => {
  const { reference, candidate } = await upstreams(t)
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    routes: [{ path: '/api/{id}' }],
  })
  assert.equal(await send(proxy.url, '/api/1'), 200)
  assert.equal(await send(proxy.url, '/elsewhere'), 200)
  await proxy.settled()
  assert.deepEqual(
    reference.received.map((r) => r.headers.host),
    [HOST, HOST],
  )
  assert.deepEqual(
    candidate.received.map((r) => r.headers.host),
    [HOST],
  )
})

test('host_header = "upstream" on one upstream table: that upstream gets its own host:port', async (t) => {
  const { reference, candidate, other } = await upstreams(t)
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    routes: [{ path: '/api/{id}', reference: { url: other.url, host_header: 'upstream' } }],
  })
  assert.equal(await send(proxy.url, '/api/1'), 200)
  assert.equal(await send(proxy.url, '/elsewhere'), 200)
  await proxy.settled()
  assert.equal(other.received[0]!.headers.host, `127.0.0.1:${other.port}`)
  assert.equal(candidate.received[0]!.headers.host, HOST, 'the candidate keeps the default')
  assert.equal(reference.received[0]!.headers.host, HOST, 'the default reference keeps the default')
})

test('host_header = "upstream" at the top level: every upstream gets its own host:port', async (t) => {
  const { reference, candidate } = await upstreams(t)
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    host_header: 'upstream',
    routes: [{ path: '/api/{id}' }],
  })
  assert.equal(await send(proxy.url, '/api/1'), 200)
  await proxy.settled()
  assert.equal(reference.received[0]!.headers.host, `127.0.0.1:${reference.port}`)
  assert.equal(candidate.received[0]!.headers.host, `127.0.0.1:${candidate.port}`)
})

test('a client without Host (HTTP/1.0) leaves each upstream its own, as hyper did for the Rust miffy', async (t) => {
  const { reference, candidate } = await upstreams(t)
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    routes: [{ path: '/api/{id}' }],
  })
  const res = await rawRequest(proxy.url, 'GET /api/1 HTTP/1.0\r\n\r\n')
  assert.equal(res.status, 200)
  await proxy.settled()
  assert.equal(reference.received[0]!.headers.host, `127.0.0.1:${reference.port}`)
  assert.equal(candidate.received[0]!.headers.host, `127.0.0.1:${candidate.port}`)
})

test('a reload that changes host_header changes the Host of new requests, on both sides', async (t) => {
  const { reference, candidate } = await upstreams(t)
  const settings = { reference: reference.url, candidate: candidate.url, routes: [{ path: '/api/{id}' }] }
  const proxy = await startProxy(t, settings)
  assert.equal(await send(proxy.url, '/api/1'), 200)
  await proxy.settled()
  proxy.app.runtime.apply(testConfig({ ...settings, host_header: 'upstream' }))
  assert.equal(await send(proxy.url, '/api/2'), 200)
  await proxy.settled()
  assert.deepEqual(
    reference.received.map((r) => r.headers.host),
    [HOST, `127.0.0.1:${reference.port}`],
  )
  assert.deepEqual(
    candidate.received.map((r) => r.headers.host),
    [HOST, `127.0.0.1:${candidate.port}`],
  )
})
