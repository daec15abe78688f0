/**
 * The management port's control endpoints, in-process: POST /config/reload applies or refuses a
 * configuration as a whole, /readyz names the active one, and POST /experiments/{route}/pause
 * and /resume switch one experiment's mirroring.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import type { MiffyConfig } from '../../src/config/schema.ts'
import { startProxy, testConfig } from '../helpers/proxy.ts'
import { json, startUpstream } from '../helpers/upstream.ts'

async function post(url: string) {
  const res = await request(url, { method: 'POST' })
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> }
}

async function readyConfig(managementUrl: string) {
  const res = await request(`${managementUrl}/readyz`)
  return ((await res.body.json()) as { config: { hash: string; loaded_at: string; paused: string[] } }).config
}

async function metrics(managementUrl: string) {
  return (await request(`${managementUrl}/metrics`)).body.text()
}

test('POST /config/reload applies new routes for new requests and reports the new config', async (t) => {
  const reference = await startUpstream(t, json(200, { v: 1 }))
  const candidate = await startUpstream(t, json(200, { v: 1 }))
  const upstreams = { reference: reference.url, candidate: candidate.url }
  let next: () => MiffyConfig = () => testConfig({ ...upstreams, routes: [{ path: '/old/{id}' }] })
  const proxy = await startProxy(t, { ...upstreams, routes: [{ path: '/old/{id}' }] }, { load: () => next() })
  const before = await readyConfig(proxy.managementUrl)

  await (await request(`${proxy.url}/new/1`)).body.text()
  assert.equal(candidate.received.length, 0, 'not an experiment yet')

  next = () => testConfig({ ...upstreams, routes: [{ path: '/old/{id}' }, { path: '/new/{id}' }] })
  const reload = await post(`${proxy.managementUrl}/config/reload`)
  assert.equal(reload.status, 200)
  assert.equal(reload.body.result, 'applied')
  assert.deepEqual(reload.body.routes, {
    added: ['/new/{id}'],
    removed: [],
    changed: [],
    unchanged: ['/old/{id}'],
  })
  assert.deepEqual(reload.body.previous, { hash: before.hash, loaded_at: before.loaded_at })
  const after = await readyConfig(proxy.managementUrl)
  assert.notEqual(after.hash, before.hash)
  assert.deepEqual(reload.body.config, { hash: after.hash, loaded_at: after.loaded_at })

  await (await request(`${proxy.url}/new/2`)).body.text()
  await proxy.settled()
  assert.equal(candidate.received.length, 1)
  assert.equal(candidate.received[0]!.url, '/new/2')
  assert.equal(proxy.outcomes('/new/{id}').equal, 1)

  const again = await post(`${proxy.managementUrl}/config/reload`)
  assert.equal(again.body.result, 'unchanged')
  assert.match(await metrics(proxy.managementUrl), /miffy_config_reloads_total\{result="applied"\} 1\n/)
  assert.match(await metrics(proxy.managementUrl), /miffy_config_reloads_total\{result="unchanged"\} 1\n/)
  assert.ok(proxy.logs.some((l) => l.msg === 'configuration reloaded' && l.trigger === 'POST /config/reload'))
})

test('an invalid configuration changes nothing: 422 with the catalogue error, counted and logged', async (t) => {
  const upstreams = { reference: 'http://127.0.0.1:1', candidate: 'http://127.0.0.1:2' }
  let next: () => MiffyConfig = () => testConfig({ ...upstreams, sample: 2 })
  const proxy = await startProxy(t, { ...upstreams, routes: [{ path: '/a' }] }, { load: () => next() })
  const before = await readyConfig(proxy.managementUrl)

  const invalid = await post(`${proxy.managementUrl}/config/reload`)
  assert.equal(invalid.status, 422)
  assert.equal(invalid.body.error, 'MIFFY_ERR_CONFIG')
  assert.match(String(invalid.body.message), /sample = 2: .*1/)
  assert.equal(invalid.body.result, 'invalid')
  assert.deepEqual(invalid.body.config, { hash: before.hash, loaded_at: before.loaded_at })

  next = () => testConfig({ ...upstreams, routes: [{ path: '/a/{x}' }, { path: '/a/{y}' }] })
  const conflict = await post(`${proxy.managementUrl}/config/reload`)
  assert.equal(conflict.status, 422)
  assert.equal(conflict.body.error, 'MIFFY_ERR_CONFIG')
  assert.match(String(conflict.body.message), /routes\[1\]\.path = "\/a\/\{y\}"/)

  next = () => testConfig({ ...upstreams, workers: 4 })
  const restart = await post(`${proxy.managementUrl}/config/reload`)
  assert.equal(restart.status, 409)
  assert.equal(restart.body.error, 'MIFFY_ERR_RESTART_REQUIRED')
  assert.match(String(restart.body.message), /workers \(1 → 4\)/)

  assert.deepEqual(await readyConfig(proxy.managementUrl), before)
  assert.ok(proxy.app.runtime.routing.routes.match('/a'), 'the old routes still apply')
  const text = await metrics(proxy.managementUrl)
  assert.match(text, /miffy_config_reloads_total\{result="invalid"\} 2\n/)
  assert.match(text, /miffy_config_reloads_total\{result="restart_required"\} 1\n/)
  assert.match(text, new RegExp(`miffy_config_info\\{hash="${before.hash}"\\} 1\\n`))
  assert.equal(
    proxy.logs.filter((l) => /^configuration not reloaded: MIFFY_ERR_/.test(String(l.msg))).length,
    3,
  )
})

test('pause and resume one experiment by its URL-encoded route pattern', async (t) => {
  const reference = await startUpstream(t, json(200, { v: 1 }))
  const candidate = await startUpstream(t, json(200, { v: 2 }))
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    routes: [{ path: '/api/{id}' }, { path: '/other' }],
  })
  const route = encodeURIComponent('/api/{id}')
  assert.equal(route, '%2Fapi%2F%7Bid%7D')

  const paused = await post(`${proxy.managementUrl}/experiments/${route}/pause`)
  assert.equal(paused.status, 200)
  assert.deepEqual(paused.body, { route: '/api/{id}', paused: true, changed: true })
  assert.deepEqual((await readyConfig(proxy.managementUrl)).paused, ['/api/{id}'])

  const res = await request(`${proxy.url}/api/1`)
  assert.deepEqual(await res.body.json(), { v: 1 }, 'the client is answered by the reference')
  assert.equal(reference.received[0]!.headers['x-shadow-test-role'], 'upstream', 'proxied plainly')
  await (await request(`${proxy.url}/other`)).body.text()
  await proxy.settled()
  assert.deepEqual(
    candidate.received.map((r) => r.url),
    ['/other'],
  )
  assert.equal(proxy.outcomes('/api/{id}').paused, 1)
  assert.match(
    await metrics(proxy.managementUrl),
    /miffy_experiment_outcomes_total\{route="\/api\/\{id\}",outcome="paused"\} 1\n/,
  )

  const resumed = await post(`${proxy.managementUrl}/experiments/${route}/resume`)
  assert.deepEqual(resumed.body, { route: '/api/{id}', paused: false, changed: true })
  await (await request(`${proxy.url}/api/2`)).body.text()
  await proxy.settled()
  assert.equal(candidate.received.at(-1)!.url, '/api/2')
  assert.equal(proxy.outcomes('/api/{id}').diverged, 1)

  const unknown = await post(`${proxy.managementUrl}/experiments/${encodeURIComponent('/nope')}/pause`)
  assert.equal(unknown.status, 404)
  assert.equal(unknown.body.error, 'MIFFY_ERR_UNKNOWN_EXPERIMENT')
  assert.match(String(unknown.body.message), /"\/nope".*"\/api\/\{id\}", "\/other"/)
})

test('the control endpoints take POST only', async (t) => {
  const proxy = await startProxy(t, {})
  for (const path of ['/config/reload', `/experiments/${encodeURIComponent('/a')}/pause`]) {
    const res = await request(`${proxy.managementUrl}${path}`)
    assert.equal(res.statusCode, 404, path)
    await res.body.text()
  }
})
