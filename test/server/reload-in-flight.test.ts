/**
 * A request in flight during a reload finishes under the settings it started with: a mirrored
 * request whose body is still arriving when the reference and its timeout change is sent to
 * the old reference, on the old dispatcher, which is closed only after that answer.
 */
import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { request } from 'undici'
import { startProxy, testConfig } from '../helpers/proxy.ts'
import { json, startUpstream } from '../helpers/upstream.ts'

test('a request whose body is still arriving keeps the reference and dispatcher it started with', async (t) => {
  const oldReference = await startUpstream(t, json(200, { from: 'old' }))
  const newReference = await startUpstream(t, json(200, { from: 'new' }))
  const candidate = await startUpstream(t, json(200, { from: 'candidate' }))
  const routes = [{ path: '/api' }]
  const proxy = await startProxy(t, { reference: oldReference.url, candidate: candidate.url, routes })
  const runtime = proxy.app.runtime
  const oldDispatcher = runtime.routing.referenceDispatcher as unknown as { closed: boolean }

  const body = new PassThrough()
  // a failure below must not leave the request open (and the test process waiting on it)
  t.after(() => body.destroy())
  const pending = request(`${proxy.url}/api`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', 'content-length': '10' },
    body,
  })
  body.write('hello')
  // the handler has read the routing once the request holds a lease on it
  while (runtime.inFlight === 0) await sleep(5)

  runtime.apply(
    testConfig({ reference: newReference.url, candidate: candidate.url, routes, reference_timeout: '20s' }),
  )
  const fresh = await request(`${proxy.url}/api`)
  assert.deepEqual(await fresh.body.json(), { from: 'new' }, 'new requests see the new reference')
  assert.equal(oldDispatcher.closed, false)

  body.end('world')
  const res = await pending
  assert.equal(res.statusCode, 200)
  assert.deepEqual(await res.body.json(), { from: 'old' })
  assert.equal(oldReference.received[0]!.body.toString(), 'helloworld')
  await proxy.settled()
  assert.equal(proxy.outcomes('/api').diverged, 2)
  while (!oldDispatcher.closed) await sleep(5)
})
