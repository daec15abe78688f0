/**
 * A reference that fails after its headers (issue 10: counted as client_aborted). The client's
 * connection is cut (a truncated answer must not look complete), and the pair is counted and
 * published as reference_error: the client did not leave, the reference failed.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import { startProxy } from '../helpers/proxy.ts'
import { json, startUpstream } from '../helpers/upstream.ts'

test('a reference that resets mid-body: the client is cut off, the outcome is reference_error', async (t) => {
  const reference = await startUpstream(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' })
    res.write('{"partial":')
    // headers and part of the body are out; then the connection dies
    setTimeout(() => res.socket?.destroy(), 50)
  })
  const candidate = await startUpstream(t, json(200, { whole: true }))
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    routes: [{ path: '/api/{id}' }],
  })
  const res = await request(`${proxy.url}/api/1`)
  assert.equal(res.statusCode, 200)
  await assert.rejects(res.body.text(), 'the client sees the answer cut off, not a complete one')
  await proxy.settled()
  const o = proxy.outcomes('/api/{id}')
  assert.equal(o.reference_error, 1)
  assert.equal(o.client_aborted, 0)
  // published like any failed leg: the reference's error, nothing wrong with the candidate
  const [pair] = proxy.divergences()
  assert.ok(pair?.divergence?.error?.reference, JSON.stringify(pair?.divergence))
  assert.equal(pair?.divergence?.error?.candidate, undefined)
})
