/**
 * What a client gets when node:http refuses its request (issue 10): 431 for headers over the
 * limit, 408 for a request head or a request that takes too long, 400 for two Host headers
 * (RFC 9112 §3.2), always in the catalogue's JSON shape with Connection: close. Sent over raw
 * sockets, since HTTP clients refuse to send these requests.
 */
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { test } from 'node:test'
import { startProxy } from '../helpers/proxy.ts'
import { rawRequest } from '../helpers/raw-http.ts'
import { json, startUpstream } from '../helpers/upstream.ts'

async function setup(t: import('node:test').TestContext, overrides: Record<string, unknown> = {}) {
  const reference = await startUpstream(t, json(200, { from: 'reference' }))
  const candidate = await startUpstream(t, json(200, { from: 'reference' }))
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    routes: [{ path: '/api/{id}' }],
    ...overrides,
  })
  return { reference, candidate, proxy }
}

test('headers over the limit: 431', async (t) => {
  const { reference, proxy } = await setup(t)
  const res = await rawRequest(
    proxy.url,
    `GET /api/1 HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
  )
  assert.equal(res.status, 431)
  assert.equal(res.headers.connection, 'close')
  assert.equal(JSON.parse(res.body).error, 'MIFFY_ERR_HEADERS_TOO_LARGE')
  assert.equal(reference.received.length, 0)
})

test('a request head that does not arrive within headers_timeout: 408', async (t) => {
  const { reference, proxy } = await setup(t, { headers_timeout: 300, request_timeout: 1000 })
  // the request line and one header, then nothing (slowloris)
  const res = await rawRequest(proxy.url, 'GET /api/1 HTTP/1.1\r\nHost: x\r\n', 10_000)
  assert.equal(res.status, 408)
  assert.equal(res.headers.connection, 'close')
  assert.equal(JSON.parse(res.body).error, 'MIFFY_ERR_REQUEST_TIMEOUT')
  assert.equal(reference.received.length, 0)
})

test('a passthrough body that does not arrive within request_timeout: 408, never complete upstream', async (t) => {
  const { reference, proxy } = await setup(t, { headers_timeout: 300, request_timeout: 600 })
  const res = await rawRequest(
    proxy.url,
    'POST /elsewhere HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly-a-part',
    10_000,
  )
  assert.equal(res.status, 408)
  assert.equal(JSON.parse(res.body).error, 'MIFFY_ERR_REQUEST_TIMEOUT')
  // the reference's server only records a request whose body was complete
  assert.equal(reference.received.length, 0)
})

test('two Host headers: 400, and nothing reaches either leg', async (t) => {
  const { reference, candidate, proxy } = await setup(t)
  for (const target of ['/api/1', '/elsewhere']) {
    const res = await rawRequest(
      proxy.url,
      `GET ${target} HTTP/1.1\r\nHost: a.example\r\nhost: b.example\r\nConnection: close\r\n\r\n`,
    )
    assert.equal(res.status, 400, target)
    assert.equal(JSON.parse(res.body).error, 'MIFFY_ERR_BAD_REQUEST')
    assert.match(JSON.parse(res.body).message, /more than one Host header/)
  }
  await proxy.settled()
  assert.equal(reference.received.length, 0)
  assert.equal(candidate.received.length, 0)
  // one Host is fine
  const ok = await rawRequest(
    proxy.url,
    'GET /api/1 HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n',
  )
  assert.equal(ok.status, 200)
})

test('a malformed request line is still 400, and the connection is closed', async (t) => {
  const { proxy } = await setup(t)
  const res = await rawRequest(proxy.url, 'GET /api/1 HTTP/9.9 extra\r\nHost: x\r\n\r\n')
  assert.equal(res.status, 400)
  assert.equal(res.headers.connection, 'close')
})

test('a slow client is cut off after headers_timeout even on a kept-alive connection', async (t) => {
  const { proxy } = await setup(t, { headers_timeout: 300, request_timeout: 1000 })
  const { hostname, port } = new URL(proxy.url)
  const socket = connect(Number(port), hostname)
  t.after(() => socket.destroy())
  let text = ''
  socket.on('data', (c) => {
    text += c.toString('latin1')
  })
  socket.write('GET /api/1 HTTP/1.1\r\nHost: x\r\n\r\n')
  await new Promise((resolve) => setTimeout(resolve, 100))
  // the second request starts but its head never finishes
  socket.write('GET /api/2 HTTP/1.1\r\nHo')
  await new Promise<void>((resolve) => socket.once('close', () => resolve()))
  assert.match(text, /^HTTP\/1\.1 200 /)
  assert.match(text, /HTTP\/1\.1 408 Request Timeout/)
})
