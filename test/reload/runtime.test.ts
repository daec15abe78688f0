/**
 * Applying a configuration to a running process: restart-only keys refuse the whole reload,
 * pauses survive it, and a replaced dispatcher is never closed under a request.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import { MiffyError } from '../../src/errors.ts'
import { startProxy, testConfig } from '../helpers/proxy.ts'
import { json, startUpstream } from '../helpers/upstream.ts'

const base = { reference: 'http://127.0.0.1:1', candidate: 'http://127.0.0.1:2' }

test('a restart-only key refuses the whole reload and names key and values', async (t) => {
  const proxy = await startProxy(t, { ...base, routes: [{ path: '/a' }] })
  const runtime = proxy.app.runtime
  const before = runtime.current
  assert.throws(
    () =>
      runtime.apply(testConfig({ ...base, port: 8081, routes: [{ path: '/b' }], kafka: { topic: 'other' } })),
    (err: unknown) =>
      err instanceof MiffyError &&
      err.code === 'MIFFY_ERR_RESTART_REQUIRED' &&
      err.message ===
        'only a restart can change kafka.topic ("miffy" → "other"), port (8080 → 8081); nothing was reloaded',
  )
  assert.equal(runtime.current, before)
  assert.ok(runtime.routing.routes.match('/a'))
})

test('a credential is named but its values are not shown', async (t) => {
  // a [kafka] table is checked even without a broker (issue 10): a complete SASL set
  const sasl = {
    topic: 'miffy',
    'security.protocol': 'sasl_plaintext',
    'sasl.mechanisms': 'PLAIN',
    'sasl.username': 'u',
  }
  const proxy = await startProxy(t, { ...base, kafka: { ...sasl, 'sasl.password': 'old-secret' } })
  assert.throws(
    () => proxy.app.runtime.apply(testConfig({ ...base, kafka: { ...sasl, 'sasl.password': 'new-secret' } })),
    (err: unknown) =>
      err instanceof MiffyError &&
      err.message === 'only a restart can change kafka.sasl.password; nothing was reloaded',
  )
})

test('the same configuration again changes nothing, not even the load time', async (t) => {
  const proxy = await startProxy(t, { ...base, routes: [{ path: '/a' }] })
  const before = proxy.app.runtime.current
  const applied = proxy.app.runtime.apply(testConfig({ ...base, routes: [{ path: '/a' }] }))
  assert.equal(applied.result, 'unchanged')
  assert.equal(proxy.app.runtime.current, before)
  assert.deepEqual(applied.config, before.identity)
})

test('pause survives a reload of its route, changed or not, and is forgotten with the route', async (t) => {
  const proxy = await startProxy(t, { ...base, routes: [{ path: '/a' }, { path: '/b' }] })
  const runtime = proxy.app.runtime
  assert.deepEqual(runtime.pause('/a'), { changed: true })
  assert.deepEqual(runtime.pause('/a'), { changed: false })
  assert.deepEqual(runtime.pause('/b'), { changed: true })
  assert.equal(runtime.pause('/nope'), undefined)

  runtime.apply(
    testConfig({ ...base, routes: [{ path: '/a' }, { path: '/b', sample: 0.5 }, { path: '/c' }] }),
  )
  assert.equal(runtime.current.experiments.get('/a')!.paused, true)
  assert.equal(runtime.current.experiments.get('/b')!.paused, true)
  assert.equal(runtime.current.experiments.get('/c')!.paused, false)
  assert.deepEqual(runtime.paused.sort(), ['/a', '/b'])

  runtime.apply(testConfig({ ...base, routes: [{ path: '/b', sample: 0.5 }] }))
  runtime.apply(testConfig({ ...base, routes: [{ path: '/a' }, { path: '/b', sample: 0.5 }] }))
  assert.equal(runtime.current.experiments.get('/a')!.paused, false, 'removed, then added again: not paused')
  assert.deepEqual(runtime.paused, ['/b'])
  assert.deepEqual(runtime.resume('/b'), { changed: true })
  assert.deepEqual(runtime.paused, [])
})

test('a replaced reference dispatcher serves the requests that hold its generation, then closes', async (t) => {
  const upstream = await startUpstream(t, json(200, { ok: true }))
  const proxy = await startProxy(t, { reference: upstream.url, candidate: upstream.url })
  const runtime = proxy.app.runtime
  const held = runtime.enter()
  const old = held.routing.referenceDispatcher as unknown as { closed: boolean; destroyed: boolean }

  const applied = runtime.apply(
    testConfig({ reference: upstream.url, candidate: upstream.url, reference_timeout: '7s' }),
  )
  assert.equal(applied.result, 'applied')
  assert.notEqual(runtime.routing.referenceDispatcher, held.routing.referenceDispatcher)
  assert.equal(old.closed, false, 'a request still holds the old generation')
  // the request that read the old generation before the reload can still send on its dispatcher
  const res = await request(upstream.url, { dispatcher: held.routing.referenceDispatcher })
  assert.deepEqual(await res.body.json(), { ok: true })

  runtime.leave(held)
  assert.equal(old.closed, true, 'closed once its last request is done')
  assert.equal(old.destroyed, false, 'closed gracefully, never destroyed')
})

test('a replaced shadow dispatcher lets its call in flight finish', async (t) => {
  let release!: () => void
  const gate = new Promise<void>((resolve) => {
    release = resolve
  })
  const upstream = await startUpstream(t, async (req, res) => {
    await gate
    json(200, { url: req.url })(req, res, Buffer.alloc(0))
  })
  const proxy = await startProxy(t, { reference: upstream.url, candidate: upstream.url })
  const old = proxy.app.ctx.shadowDispatcher
  const arrived = upstream.nextRequest()
  const inFlight = request(`${upstream.url}/slow`, { dispatcher: old })
  await arrived

  proxy.app.runtime.apply(
    testConfig({ reference: upstream.url, candidate: upstream.url, candidate_timeout: '9s' }),
  )
  assert.notEqual(proxy.app.ctx.shadowDispatcher, old)
  release()
  const res = await inFlight
  assert.deepEqual(await res.body.json(), { url: '/slow' })
})

test('memory_budget and redact_headers apply to mirrors started after the reload', async (t) => {
  const proxy = await startProxy(t, { ...base, memory_budget: '1MiB' })
  assert.equal(proxy.app.ctx.redactor.isSecretHeader('x-user'), false)
  proxy.app.runtime.apply(testConfig({ ...base, memory_budget: '2MiB', redact_headers: ['x-user'] }))
  // bodies get what the divergence log's share (0.25 by default) leaves
  assert.equal(proxy.app.ctx.budget.limit, 1.5 * 1024 * 1024)
  assert.equal(proxy.app.ctx.divergences.maxBytes, 0.5 * 1024 * 1024)
  assert.ok(proxy.app.ctx.redactor.isSecretHeader('x-user'))
  assert.ok(proxy.app.ctx.redactor.isSecretHeader('authorization'), 'the always-redacted headers stay')
})

test('divergence_log_share and the redaction lists reload too; a smaller share drops the oldest', async (t) => {
  const proxy = await startProxy(t, { ...base, memory_budget: '1MiB' })
  proxy.app.runtime.apply(
    testConfig({ ...base, memory_budget: '1MiB', divergence_log_share: 0, redact_names: ['ssn'] }),
  )
  assert.equal(proxy.app.ctx.budget.limit, 1024 * 1024)
  assert.equal(proxy.app.ctx.divergences.maxBytes, 0)
  assert.ok(proxy.app.ctx.redactor.isSecret('ssn'))
})
