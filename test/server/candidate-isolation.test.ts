/**
 * The reference always wins: a candidate that hangs, resets, fails or is absent changes nothing
 * in the client's answer. The hanging case proves it without a timing threshold: the client's
 * response completes while the candidate still holds the request, unanswered.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import { startProxy } from '../helpers/proxy.ts'
import { closedPort, json, startUpstream } from '../helpers/upstream.ts'

const REFERENCE = { answer: 42 }

test('a hanging candidate: the client is answered while the candidate is still blocked', async (t) => {
  const reference = await startUpstream(t, json(200, REFERENCE))
  let release!: () => void
  const blocked = new Promise<void>((resolve) => {
    release = resolve
  })
  let candidateAnswered = false
  const candidate = await startUpstream(t, async (_req, res) => {
    await blocked
    candidateAnswered = true
    json(200, REFERENCE)(_req, res, Buffer.alloc(0))
  })
  t.after(() => release())
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    candidate_timeout: '30s',
    routes: [{ path: '/api/{id}' }],
  })
  const candidateGotIt = candidate.nextRequest()
  const res = await request(`${proxy.url}/api/1`)
  assert.equal(res.statusCode, 200)
  assert.deepEqual(await res.body.json(), REFERENCE)
  await candidateGotIt
  assert.equal(candidateAnswered, false, 'the client was answered before the candidate was let go')
  release()
  await proxy.settled()
  assert.equal(proxy.outcomes('/api/{id}').equal, 1)
})

test('a candidate that never answers is cut off at candidate_timeout and counted', async (t) => {
  const reference = await startUpstream(t, json(200, REFERENCE))
  const candidate = await startUpstream(t, () => new Promise(() => {}))
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    candidate_timeout: 150,
    routes: [{ path: '/api/{id}' }],
  })
  const res = await request(`${proxy.url}/api/1`)
  assert.deepEqual(await res.body.json(), REFERENCE)
  await proxy.settled()
  assert.equal(proxy.outcomes('/api/{id}').candidate_timeout, 1)
})

test('a candidate that resets the connection: client unchanged, candidate_error counted', async (t) => {
  const reference = await startUpstream(t, json(200, REFERENCE))
  const candidate = await startUpstream(t, (req) => {
    req.socket.destroy()
  })
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    routes: [{ path: '/api/{id}' }],
  })
  const res = await request(`${proxy.url}/api/1`)
  assert.equal(res.statusCode, 200)
  assert.deepEqual(await res.body.json(), REFERENCE)
  await proxy.settled()
  assert.equal(proxy.outcomes('/api/{id}').candidate_error, 1)
})

test('a candidate answering 500: client unchanged, the pair diverges', async (t) => {
  const reference = await startUpstream(t, json(200, REFERENCE))
  const candidate = await startUpstream(t, json(500, { error: 'candidate broke' }))
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    routes: [{ path: '/api/{id}' }],
  })
  const res = await request(`${proxy.url}/api/1`)
  assert.equal(res.statusCode, 200)
  assert.deepEqual(await res.body.json(), REFERENCE)
  await proxy.settled()
  assert.equal(proxy.outcomes('/api/{id}').diverged, 1)
  const [d] = proxy.divergences()
  assert.deepEqual(d!.divergence!.status, { reference: 200, candidate: 500 })
})

test('a candidate that is down: client unchanged, candidate_error counted, nothing logged as an error', async (t) => {
  const reference = await startUpstream(t, json(200, REFERENCE))
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: `http://127.0.0.1:${await closedPort()}`,
    routes: [{ path: '/api/{id}' }],
  })
  for (let i = 0; i < 3; i++) {
    const res = await request(`${proxy.url}/api/${i}`)
    assert.equal(res.statusCode, 200)
    assert.deepEqual(await res.body.json(), REFERENCE)
  }
  await proxy.settled()
  assert.equal(proxy.outcomes('/api/{id}').candidate_error, 3)
  assert.equal(proxy.logs.filter((l) => (l.level as number) >= 50).length, 0)
})
