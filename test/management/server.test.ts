import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import { startProxy } from '../helpers/proxy.ts'
import { closedPort, json, startUpstream } from '../helpers/upstream.ts'

/** `reference` has no default (issue 11); these tests never call it. */
const unusedReference = async () => ({ reference: `http://127.0.0.1:${await closedPort()}` })

test('GET /healthz on the management port answers {"status":"healthy"}', async (t) => {
  const proxy = await startProxy(t, await unusedReference())
  const res = await request(`${proxy.managementUrl}/healthz`)
  assert.equal(res.statusCode, 200)
  assert.deepEqual(await res.body.json(), { status: 'healthy' })
})

test('unknown management paths are 404, and management endpoints are not on the proxy port', async (t) => {
  const reference = await startUpstream(t, json(200, { from: 'reference' }))
  const proxy = await startProxy(t, { reference: reference.url })
  const res = await request(`${proxy.managementUrl}/nope`)
  assert.equal(res.statusCode, 404)
  assert.equal(((await res.body.json()) as { error: string }).error, 'not_found')
  // /healthz on the proxy port is the reference's business
  const viaProxy = await request(`${proxy.url}/healthz`)
  assert.deepEqual(await viaProxy.body.json(), { from: 'reference' })
})

test('/readyz reports the sink and stays 200; ?strict follows the sink state', async (t) => {
  const proxy = await startProxy(t, await unusedReference())
  const res = await request(`${proxy.managementUrl}/readyz`)
  assert.equal(res.statusCode, 200)
  const body = (await res.body.json()) as Record<string, unknown> & { config: Record<string, unknown> }
  assert.deepEqual(body.sink, { kind: 'log', state: 'ready' })
  assert.equal(body.status, 'ready')
  // which configuration is active: a hash of the effective config and when it was loaded
  assert.match(String(body.config.hash), /^[0-9a-f]{16}$/)
  assert.ok(Date.parse(String(body.config.loaded_at)) <= Date.now())
  assert.deepEqual(body.config.paused, [])
  const strict = await request(`${proxy.managementUrl}/readyz?strict`)
  assert.equal(strict.statusCode, 200)
  await strict.body.text()
})

test('/metrics is Prometheus text with outcome counters by route pattern', async (t) => {
  const reference = await startUpstream(t, json(200, { a: 1 }))
  const candidate = await startUpstream(t, json(200, { a: 2 }))
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    routes: [{ path: '/api/{id}' }],
  })
  for (const id of [1, 2, 3]) await (await request(`${proxy.url}/api/${id}`)).body.text()
  await proxy.settled()
  const res = await request(`${proxy.managementUrl}/metrics`)
  assert.match(String(res.headers['content-type']), /text\/plain/)
  const text = await res.body.text()
  assert.match(text, /miffy_experiment_outcomes_total\{route="\/api\/\{id\}",outcome="diverged"\} 3/)
  assert.match(text, /miffy_http_requests_total\{route="\/api\/\{id\}",status="200"\} 3/)
  // raw paths never become labels
  assert.doesNotMatch(text, /\/api\/1"/)
  // every line is a comment, blank, or `name{labels} value`
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    assert.match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? -?[0-9.e+-]+|NaN|[+-]Inf$/, line)
  }
})

test('/divergences lists newest first and filters by route and fingerprint', async (t) => {
  const reference = await startUpstream(t, json(200, { a: 1 }))
  const candidate = await startUpstream(t, (req, res) => {
    // /b/ differs in status, /a/ in body: two fingerprints
    if (req.url!.startsWith('/b/')) json(500, { a: 1 })(req, res, Buffer.alloc(0))
    else json(200, { a: 2 })(req, res, Buffer.alloc(0))
  })
  const proxy = await startProxy(t, {
    reference: reference.url,
    candidate: candidate.url,
    routes: [{ path: '/a/{id}' }, { path: '/b/{id}' }],
  })
  for (const p of ['/a/1', '/b/1', '/a/2']) {
    await (await request(`${proxy.url}${p}`)).body.text()
    await proxy.settled()
  }
  const all = (await (await request(`${proxy.managementUrl}/divergences`)).body.json()) as {
    divergences: { request: { uri: string }; divergence: { fingerprint: string } }[]
  }
  assert.deepEqual(
    all.divergences.map((d) => d.request.uri),
    ['/a/2', '/b/1', '/a/1'],
  )
  const byRoute = (await (
    await request(`${proxy.managementUrl}/divergences?route=${encodeURIComponent('/b/{id}')}`)
  ).body.json()) as typeof all
  assert.deepEqual(
    byRoute.divergences.map((d) => d.request.uri),
    ['/b/1'],
  )
  const fp = all.divergences[0]!.divergence.fingerprint
  const byFp = (await (
    await request(`${proxy.managementUrl}/divergences?fingerprint=${fp}&limit=1`)
  ).body.json()) as typeof all
  assert.deepEqual(
    byFp.divergences.map((d) => d.request.uri),
    ['/a/2'],
  )
  const summary = (await (await request(`${proxy.managementUrl}/divergences/summary`)).body.json()) as {
    routes: { route: string; diverged: number; top_fingerprints: { count: number }[] }[]
  }
  const a = summary.routes.find((r) => r.route === '/a/{id}')!
  assert.equal(a.diverged, 2)
  assert.equal(a.top_fingerprints[0]!.count, 2)
})
