/**
 * The error word of a failed leg on the topic is the Rust miffy 1.0's (`request`), so consumers
 * that switch on it keep working; miffy's finer word is in the additive `error_detail` (issue 11).
 * Real upstreams on 127.0.0.1 that refuse connections, reset them, or break off mid-body.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import { startProxy } from '../helpers/proxy.ts'
import { closedPort, json, resettingPort, startUpstream } from '../helpers/upstream.ts'

async function oneMessage(t: import('node:test').TestContext, reference: string, candidate: string) {
  const proxy = await startProxy(t, { reference, candidate, routes: [{ path: '/api/{id}' }] })
  const res = await request(`${proxy.url}/api/1`)
  await res.body.dump()
  await proxy.settled()
  const [message] = proxy.divergences()
  assert.ok(message, 'the failed pair is published')
  return { message, status: res.statusCode }
}

test('a candidate that refuses the connection: error "request", detail "connection"', async (t) => {
  const reference = await startUpstream(t, json(200, { v: 1 }))
  const { message } = await oneMessage(t, reference.url, `http://127.0.0.1:${await closedPort()}`)
  assert.deepEqual(message.candidate.response, { error: 'request', error_detail: 'connection' })
  assert.equal('status' in message.reference.response && message.reference.response.status, 200)
})

test('a candidate that resets the connection: error "request", detail "reset"', async (t) => {
  const reference = await startUpstream(t, json(200, { v: 1 }))
  const { message } = await oneMessage(t, reference.url, `http://127.0.0.1:${await resettingPort(t)}`)
  assert.deepEqual(message.candidate.response, { error: 'request', error_detail: 'reset' })
})

test('a reference that refuses the connection: the client gets 502, the topic "request"', async (t) => {
  const candidate = await startUpstream(t, json(200, { v: 1 }))
  const { message, status } = await oneMessage(t, `http://127.0.0.1:${await closedPort()}`, candidate.url)
  assert.equal(status, 502)
  assert.deepEqual(message.reference.response, { error: 'request', error_detail: 'connection' })
})

test('a candidate that breaks off after its head: error "body", as the Rust miffy said', async (t) => {
  const reference = await startUpstream(t, json(200, { v: 1 }))
  const candidate = await startUpstream(t, (req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' })
    res.write('only half', () => req.socket.destroy())
  })
  const { message } = await oneMessage(t, reference.url, candidate.url)
  assert.equal('error' in message.candidate.response && message.candidate.response.error, 'body')
})
