/**
 * A mirrored request whose body stops arriving (issue 10: 64 clients sending headers and one
 * byte held every candidate slot for minutes, and opened the breaker on a healthy candidate):
 * at body_timeout the client gets 408, the outcome is dropped_body_timeout, neither leg was
 * sent, and no slot or memory is held.
 */
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { test } from 'node:test'
import { request } from 'undici'
import { startProxy } from '../helpers/proxy.ts'
import { rawRequest } from '../helpers/raw-http.ts'
import { json, startUpstream } from '../helpers/upstream.ts'

test('a stalled body: 408 at body_timeout, counted, nothing sent upstream, nothing held', async (t) => {
  const reference = await startUpstream(t, json(200, { a: 1 }))
  const candidate = await startUpstream(t, json(200, { a: 1 }))
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    body_timeout: 300,
    max_in_flight: 2,
    queue: 0,
    routes: [{ path: '/api/{id}' }],
  })
  // more stalled clients than there are candidate slots
  const stalled = Array.from({ length: 4 }, () =>
    rawRequest(proxy.url, 'POST /api/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nx', 10_000),
  )
  for (const res of await Promise.all(stalled)) {
    assert.equal(res.status, 408)
    assert.equal(res.headers.connection, 'close')
    assert.equal(JSON.parse(res.body).error, 'MIFFY_ERR_REQUEST_TIMEOUT')
  }
  await proxy.settled()
  assert.equal(proxy.outcomes('/api/{id}').dropped_body_timeout, 4)
  assert.equal(reference.received.length, 0)
  assert.equal(candidate.received.length, 0)
  assert.equal(proxy.app.ctx.budget.used, 0)
  // the slots are free and the breaker untouched: the next requests are mirrored and compared
  for (const id of [1, 2, 3]) {
    const res = await request(`${proxy.url}/api/${id}`, { method: 'POST', body: 'complete' })
    assert.equal(res.statusCode, 200)
    await res.body.text()
  }
  await proxy.settled()
  assert.equal(proxy.outcomes('/api/{id}').equal, 3)
  const metrics = await (await request(`${proxy.managementUrl}/metrics`)).body.text()
  assert.match(
    metrics,
    /miffy_experiment_outcomes_total\{route="\/api\/\{id\}",outcome="dropped_body_timeout"\} 4/,
  )
})

test('a body that keeps trickling in is cut at the deadline too, not at each byte', async (t) => {
  const reference = await startUpstream(t, json(200, { a: 1 }))
  const candidate = await startUpstream(t, json(200, { a: 1 }))
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    body_timeout: 400,
    routes: [{ path: '/api/{id}' }],
  })
  const { hostname, port } = new URL(proxy.url)
  const socket = connect(Number(port), hostname)
  t.after(() => socket.destroy())
  let answer = ''
  socket.on('data', (c) => {
    answer += c.toString('latin1')
  })
  socket.write('POST /api/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n')
  const drip = setInterval(() => socket.write('x'), 50)
  t.after(() => clearInterval(drip))
  await new Promise<void>((resolve) => socket.once('close', () => resolve()))
  clearInterval(drip)
  assert.match(answer, /^HTTP\/1\.1 408 /)
  await proxy.settled()
  assert.equal(proxy.outcomes('/api/{id}').dropped_body_timeout, 1)
})
